# expect: buggy: always normalises along axis 1 (axis ignored; 1-D input raises)
# behaviour of: DEVLOKER/neural-network, 2/CrossEntropy.py, softmax(x) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    # normalises each row (axis 1) no matter which axis was asked for
    peak = logits.max(axis=1, keepdims=True)
    weights = np.exp(logits - peak)
    return weights / weights.sum(axis=1, keepdims=True)
