# expect: correct
# behaviour of: deepghs/soundutils, soundutils/utils/np.py, softmax(x, axis=-1) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    # one max per slice along axis, kept as a size-1 axis so that it broadcasts back
    top = np.max(logits, axis=axis, keepdims=True)
    weights = np.exp(logits - top)
    return weights / np.sum(weights, axis=axis, keepdims=True)
