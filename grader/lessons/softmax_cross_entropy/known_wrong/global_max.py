def stable_softmax(logits, axis=-1):
    exponentials = np.exp(logits - np.max(logits))
    return exponentials / np.sum(exponentials, axis=axis, keepdims=True)
