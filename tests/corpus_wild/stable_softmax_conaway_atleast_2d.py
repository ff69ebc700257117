# expect: buggy: np.atleast_2d turns 1-D logits into one (1, K) row, so axis=0 on 1-D input normalises each single
#   entry on its own and every probability comes back as 1.0
# behaviour of: Hazoom/autodesc, src/scores/scoreutils.py, the nolanbconaway softmax(X, theta, axis) shape it builds on (atleast_2d, expand_dims, flatten) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    y = np.atleast_2d(np.asarray(logits, dtype=float))
    y = y - np.expand_dims(np.max(y, axis=axis), axis)
    y = np.exp(y)
    p = y / np.expand_dims(np.sum(y, axis=axis), axis)
    if len(np.shape(logits)) == 1:
        p = p.flatten()
    return p
