# expect: correct
# behaviour of: hurricanelx/LxNet, LxNet/Layers/Softmax.py, Softmax.loss(x, y) (the loss it returns) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    z = np.sum(np.exp(shifted), axis=1, keepdims=True)
    log_probs = shifted - np.log(z)
    n = logits.shape[0]
    return -np.sum(log_probs[np.arange(n), targets]) / n
