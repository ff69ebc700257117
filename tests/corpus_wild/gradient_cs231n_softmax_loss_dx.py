# expect: correct
# behaviour of: kaiweihuang/CS231n, assignment2/cs231n/layers.py, softmax_loss(x, y) (the dx it returns) on one example as a (1, C) batch; glue: reshape in and out (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    x = logits.reshape(1, -1)
    probs = np.exp(x - np.max(x, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    n = x.shape[0]
    dx = probs.copy()
    dx[np.arange(n), [target_index]] -= 1
    dx /= n
    return dx.reshape(-1)
