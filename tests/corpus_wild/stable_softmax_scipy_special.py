# expect: correct
# behaviour of: scipy/scipy, scipy/special/_logsumexp.py, softmax(x, axis=None) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    arr = np.asarray(logits)
    peak = np.maximum.reduce(arr, axis=axis, keepdims=True)
    weights = np.exp(np.subtract(arr, peak))
    return np.divide(weights, np.add.reduce(weights, axis=axis, keepdims=True))
