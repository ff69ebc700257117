# expect: softmax_in_float32
def stable_softmax(logits, axis=-1):
    z = np.asarray(logits, dtype=np.float32)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
