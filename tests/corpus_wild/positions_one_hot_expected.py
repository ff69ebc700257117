# expect: buggy: written for one-hot targets: -sum(targets * log_probs, axis=1) with integer targets of shape (T,)
#   broadcasts them along each row (T == V runs silently and is wrong; any other shape raises)
# behaviour of: sefutsu/nngen, nngen/verify/loss_function.py, cross_entropy_loss(weight, target, reduction='none') with its shift added (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    top = z.max(axis=1, keepdims=True)
    log_probs = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    return -(log_probs * targets).sum(axis=1)
