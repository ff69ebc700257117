# expect: correct
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    shifted = z - z.max(axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    one_hot = np.eye(z.shape[1])[targets]
    return -np.einsum("tv,tv->t", log_probs, one_hot)
