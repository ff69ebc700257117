# expect: buggy: accepts axis but normalises along the last axis whatever it says
# behaviour of: zhaoqi94/The-Boomsday-Project, utils/activation.py, softmax(x, axis=-1) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    # the axis argument is accepted, but the work always happens on the last axis
    top = np.amax(logits, axis=-1, keepdims=True)
    powered = np.exp(logits - top)
    return powered / powered.sum(axis=-1, keepdims=True)
