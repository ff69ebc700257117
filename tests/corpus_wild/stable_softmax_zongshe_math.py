# expect: correct
# behaviour of: heeyil/ZongShe, DeepLearning/utils/math.py, softmax(x, axis=-1) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    # the requested axis is moved to the end, normalised there, and moved back
    moved = np.moveaxis(logits, axis, -1)
    weights = np.exp(moved - moved.max(axis=-1)[..., None])
    return np.moveaxis(weights / weights.sum(axis=-1)[..., None], -1, axis)
