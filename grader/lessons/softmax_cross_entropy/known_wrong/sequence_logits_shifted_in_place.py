def torch_sequence_loss(logits, targets):
    import torch
    logits -= logits.max(-1, keepdim=True).values  # in place, "for stability"
    log_probs = logits - torch.log(torch.exp(logits).sum(-1, keepdim=True))
    return -log_probs.gather(-1, targets.unsqueeze(-1)).mean()
