# expect: buggy: -log of the softmax probability: inf once the target's probability underflows (logits [0, -2000], target
#   1)
# mistake: neg_log_softmax
# behaviour of: tom01h/deep-learning-slim, common/functions.py, softmax_loss(X, t) = cross_entropy_error(softmax(X), t) on one 1-D example, numpy in place of cupy; glue: target_index as a NumPy integer (the code calls t.reshape) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    t = np.asarray(target_index)
    shifted = logits - np.max(logits)  # a 1-D input takes the one-row branch (float64)
    y = np.exp(shifted) / np.sum(np.exp(shifted))
    t = t.reshape(1, t.size)
    y = y.reshape(1, y.size)
    if t.size == y.size:  # a one-hot target is turned into its index
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t])) / batch_size
