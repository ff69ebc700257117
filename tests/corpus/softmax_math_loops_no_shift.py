# expect: no_max_shift
def stable_softmax(logits, axis=-1):
    import math
    z = np.moveaxis(np.asarray(logits, dtype=float), axis, -1)
    out = np.empty_like(z)
    for index in np.ndindex(z.shape[:-1]):
        weights = [math.exp(v) for v in z[index]]
        total = sum(weights)
        out[index] = [w / total for w in weights]
    return np.moveaxis(out, -1, axis)
