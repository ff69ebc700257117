# expect: buggy: returns the pair (loss, dx) of the assignment's softmax_loss layer instead of the loss alone
# behaviour of: wtergan/cs231n, assignment2/cs231n/layers.py, softmax_loss(x, y) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    x = np.asarray(logits, dtype=float)
    y = np.asarray(targets)
    shifted = x - np.max(x, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    n = x.shape[0]
    loss = -np.sum(log_probs[np.arange(n), y]) / n
    dx = np.exp(log_probs)
    dx[np.arange(n), y] -= 1
    dx /= n
    return loss, dx
