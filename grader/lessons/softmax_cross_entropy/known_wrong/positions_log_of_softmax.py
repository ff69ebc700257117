def per_position_cross_entropy(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return -np.log(probabilities[np.arange(len(targets)), targets])
