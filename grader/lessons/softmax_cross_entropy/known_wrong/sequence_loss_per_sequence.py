def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F

    # a loss for every position, then each sentence's average
    per_position = F.cross_entropy(logits.permute(0, 2, 1), targets, reduction="none")
    return per_position.mean(dim=1)
