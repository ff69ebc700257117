# expect: correct
# behaviour of: AnonKDD1269/ADFN, dfn-grok/utils.py, loss_fn(logits, labels) (the work in float64, then log_softmax and gather) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    wide = logits.to(torch.float64)
    log_probs = wide.log_softmax(dim=-1)
    picked = log_probs.gather(dim=-1, index=targets[:, None])[:, 0]
    return -picked.mean()
