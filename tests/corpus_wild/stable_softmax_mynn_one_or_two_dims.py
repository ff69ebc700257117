# expect: buggy: asserts 1-D or 2-D input (3-D raises AssertionError) and ignores `axis`: rows of a 2-D array, the
#   whole array when 1-D
# behaviour of: davidmascharka/MyNN, mynn/activations/softmax.py, softmax(x) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    x = np.asarray(logits, dtype=float)
    assert 0 < x.ndim < 3, "Input must be 1- or 2-dimensional."
    kw = dict(axis=1, keepdims=True) if x.ndim == 2 else dict(axis=None, keepdims=False)
    e = np.exp(x - x.max(**kw))
    return e / e.sum(**kw)
