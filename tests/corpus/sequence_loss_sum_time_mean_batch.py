# expect: sequence_sum_over_batch
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F
    per_token = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
    return per_token.sum(dim=1).mean()
