# expect: buggy: refuses 1-D logits with ValueError ("Cannot apply softmax to a tensor that is 1D"): a single example,
#   the lesson's own [3, 1, 0], cannot be normalised
# mistake: batch_only
# behaviour of: keras-team/keras, keras/activations.py (Keras 2.x), softmax(x, axis=-1) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    x = np.asarray(logits, dtype=float)
    if x.ndim <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
