def torch_classification_loss(logits, targets):
    import torch
    logits -= logits.max(dim=1, keepdim=True).values  # in place, "for stability"
    log_probs = logits - torch.log(torch.exp(logits).sum(dim=1, keepdim=True))
    return -log_probs.gather(1, targets.unsqueeze(1)).mean()
