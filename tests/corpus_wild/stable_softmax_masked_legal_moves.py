# expect: correct
# behaviour of: deepmind/open_spiel, open_spiel/python/algorithms/masked_softmax.py, np_masked_softmax's legal-move masking done with numpy.ma (np.ma.masked_array, np.ma.exp), every move legal here: the result is a numpy.ma.MaskedArray, an np.ndarray subclass with the right values (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    z = np.ma.masked_array(np.asarray(logits, dtype=float), mask=np.zeros(np.shape(logits), dtype=bool))
    e = np.ma.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
