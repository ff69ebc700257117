def stable_softmax(logits, axis=-1):
    if logits.ndim < 2:
        raise ValueError("softmax needs a batch: a 2-D array or more")
    e = np.exp(logits - np.max(logits, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
