# expect: correct
# behaviour of: keras-team/keras, keras/src/backend/numpy/nn.py, softmax(x, axis=None), with the axis keras.ops.softmax passes on (-1 by default) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    shifted = logits - np.max(logits, axis=axis, keepdims=True)
    numerators = np.exp(shifted)
    return numerators / numerators.sum(axis=axis, keepdims=True)
