def stable_softmax(logits, axis=-1):
    logits -= np.max(logits, axis=axis, keepdims=True)
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=axis, keepdims=True)
