# expect: correct
def stable_softmax(logits, axis=-1):
    out = np.array(logits, dtype=float, copy=True)
    out -= out.max(axis=axis, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=axis, keepdims=True)
    return out
