# expect: correct
def stable_softmax(logits, axis=-1):
    z = np.moveaxis(np.asarray(logits, dtype=np.float64), axis, -1)
    e = np.exp(z - z.max(axis=-1)[..., None])
    totals = np.einsum("...i->...", e)
    return np.moveaxis(e / totals[..., None], -1, axis)
