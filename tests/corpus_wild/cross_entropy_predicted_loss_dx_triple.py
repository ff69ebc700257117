# expect: buggy: returns the tuple (predicted class, loss, dx) of a combined softmax-loss layer instead of the
#   loss alone
# behaviour of: sharnam19/I-Speak-BBT, loss.py, softmax_loss(x, y) called on the example as a batch of one (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    x = np.asarray(logits, dtype=float)[None, :]
    y = np.array([target_index])
    n = x.shape[0]
    shifted = x - x.max(axis=1)[:, None]
    scores = np.exp(shifted) / np.exp(shifted).sum(axis=1)[:, None]
    predicted = np.argmax(scores, axis=1)
    loss = np.sum(-np.log(scores[range(n), y])) / n
    offset = np.zeros_like(scores)
    offset[range(n), y] = 1
    return predicted, loss, (scores - offset) / n
