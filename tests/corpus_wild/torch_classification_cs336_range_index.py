# expect: correct
# behaviour of: carlgieringer/stanford-cs336-lmfs-assignment1-basics, cs336_basics/cross_entropy.py, cross_entropy(logits, targets) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    peak = torch.max(logits, dim=-1, keepdim=True).values
    centred = logits - peak
    log_probs = centred - torch.log(torch.sum(torch.exp(centred), dim=-1, keepdim=True))
    rows = torch.arange(logits.shape[-2])
    return torch.mean(log_probs[rows, targets]).neg()
