# expect: correct
def stable_softmax(logits, axis=-1):
    z = np.asarray(logits, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    log_z = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.exp(z - log_z)
