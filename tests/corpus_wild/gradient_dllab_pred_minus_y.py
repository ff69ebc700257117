# expect: correct
# behaviour of: ThePrinceInExile312/DLlab, DL2.py, the training loop's grad = (pred - y) / len(X) with pred = softmax(logits), on one example as a (1, C) batch with a one-hot y (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    x = logits.reshape(1, -1)
    ex = np.exp(x - np.max(x, axis=1, keepdims=True))
    pred = ex / np.sum(ex, axis=1, keepdims=True)
    y = np.zeros_like(pred)
    y[0, target_index] = 1.0
    return ((pred - y) / len(x)).reshape(-1)
