def torch_sequence_loss(logits, targets):
    import torch
    log_probs = torch.log_softmax(logits, dim=-1)
    return -torch.take(log_probs, targets).mean()
