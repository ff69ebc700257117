# expect: correct
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    m = z.max(axis=1, keepdims=True)
    log_probs = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    picked = np.take_along_axis(log_probs, np.asarray(targets)[:, None], axis=1)
    return -picked[:, 0]
