def stable_softmax(logits, axis=-1):
    m = np.max(logits, axis=axis, keepdims=True)
    return np.exp(logits - m) / np.sum(np.exp(logits), axis=axis, keepdims=True)
