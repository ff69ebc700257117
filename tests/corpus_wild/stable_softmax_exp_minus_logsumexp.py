# expect: correct
# behaviour of: the softmax as np.exp(z - logsumexp(z, axis, keepdims=True)) with a hand-written, max-shifted log-sum-exp (the pattern of scipy.special.softmax) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    z = np.asarray(logits, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.exp(z - lse)
