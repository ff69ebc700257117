def per_position_cross_entropy(logits, targets):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    losses = np.log(np.sum(np.exp(shifted), axis=1)) - shifted[np.arange(shifted.shape[0]), targets]
    mask = (targets != 0).astype(losses.dtype)
    return losses * mask
