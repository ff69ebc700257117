# expect: buggy: -log of the softmax probability: inf once a target's probability underflows to 0
# mistake: mean_loss_log_of_softmax
# behaviour of: kaiweihuang/CS231n, assignment2/cs231n/layers.py, softmax_loss(x, y) (the loss it returns) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    probs = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probs /= np.sum(probs, axis=1, keepdims=True)
    n = logits.shape[0]
    return -np.sum(np.log(probs[np.arange(n), targets])) / n
