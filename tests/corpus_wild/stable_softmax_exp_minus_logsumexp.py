# expect: correct
# behaviour of: scipy/scipy, scipy/special/_logsumexp.py, softmax (np.exp(x - logsumexp(x, axis=axis, keepdims=True))) with a hand-written max-shifted log-sum-exp (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    z = np.asarray(logits, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.exp(z - lse)
