# expect: buggy: the softmax of the (T, V) batch is computed in float32 (exp with dtype=float32), then -log of the
#   target's probability: inf once it underflows, float32 rounding near 1e4, and a vocabulary of one is taken for
#   one-hot targets (t.argmax(axis=1) on 1-D targets raises)
# behaviour of: tom01h/deep-learning-slim, common/functions.py, softmax_loss(X, t) = cross_entropy_error(softmax(X), t), numpy in place of cupy (the file's own commented-out `import numpy as cp`) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    x = logits.T
    x = x - np.max(x, axis=0)
    y = (np.exp(x, dtype=np.float32) / np.sum(np.exp(x, dtype=np.float32), axis=0, dtype=np.float32)).T
    t = np.asarray(targets)
    if t.size == y.size:  # taken for one-hot targets
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t])) / batch_size
