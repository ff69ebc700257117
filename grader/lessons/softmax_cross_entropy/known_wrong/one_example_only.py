def stable_softmax(logits, axis=-1):
    assert logits.ndim == 1, "one example at a time"
    e = np.exp(logits - np.max(logits))
    return e / np.sum(e)
