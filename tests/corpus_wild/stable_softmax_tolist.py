# expect: buggy: a stable softmax along axis, turned into nested Python lists with .tolist() (the right numbers,
#   but no np.ndarray for the caller)
# behaviour of: timoschick/pet, pet/utils.py, softmax(logits, axis=1).tolist() as the ensemble-merging scripts built on LogitsList store it (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return (e / e.sum(axis=axis, keepdims=True)).tolist()
