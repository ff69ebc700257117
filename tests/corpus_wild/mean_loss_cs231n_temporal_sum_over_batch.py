# expect: buggy: the sequence goes through temporal_softmax_loss as a batch of one with a mask of ones: the loss is
#   summed over the time steps and divided by N = 1 (a sum, not a mean), and it is -log of the softmax, which is
#   inf once a target's probability underflows
# behaviour of: sharnam19/I-Speak-BBT, loss.py, temporal_softmax_loss(x, y, mask) with N = 1, loss only (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    x = np.asarray(logits, dtype=float)[None]
    y = np.asarray(targets)[None]
    mask = np.ones(y.shape)
    n, t, v = x.shape
    x_flat = x.reshape(n * t, v)
    y_flat = y.reshape(n * t)
    mask_flat = mask.reshape(n * t)
    probs = np.exp(x_flat - np.max(x_flat, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    return float(-np.sum(mask_flat * np.log(probs[np.arange(n * t), y_flat])) / n)
