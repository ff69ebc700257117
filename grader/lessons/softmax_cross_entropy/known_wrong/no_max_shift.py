def stable_softmax(logits, axis=-1):
    exponentials = np.exp(logits)
    return exponentials / np.sum(exponentials, axis=axis, keepdims=True)
