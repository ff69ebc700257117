# expect: correct
# behaviour of: sharnam19/I-Speak-BBT, loss.py, softmax_loss's log-sum-exp on the example as a batch of one, np.squeeze'd back to a 0-d float64 array (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    z = np.asarray(logits, dtype=float)[None, :]
    m = z.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    return np.squeeze(lse - z[np.arange(1), [target_index]])
