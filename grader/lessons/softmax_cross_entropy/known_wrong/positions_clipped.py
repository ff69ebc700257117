def per_position_cross_entropy(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    picked = probs[np.arange(len(targets)), targets]
    return -np.log(np.clip(picked, 1e-12, 1.0))
