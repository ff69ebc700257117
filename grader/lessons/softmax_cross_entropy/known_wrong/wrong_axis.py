def stable_softmax(logits, axis=-1):
    exponentials = np.exp(logits - np.max(logits, axis=0, keepdims=True))
    return exponentials / np.sum(exponentials, axis=0, keepdims=True)
