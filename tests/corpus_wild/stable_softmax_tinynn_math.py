# expect: correct
# behaviour of: borgwang/tinynn, tinynn/utils/math.py, softmax(x, t=1.0, axis=-1) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    scaled = logits / 1.0
    powered = np.exp(scaled - np.max(scaled, axis, keepdims=True))
    total = np.sum(powered, axis, keepdims=True)
    return powered / total
