# expect: buggy: shifts each row by its max but divides by the sum over the whole (T, V) array
# behaviour of: borgwang/tinynn-autograd, core/nn/loss.py, SoftmaxCrossEntropyLoss.__call__(logits, labels) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    count = logits.shape[0]
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    # each row is shifted by its own maximum, but everything is divided by one total for the whole array
    shares = weights / weights.sum()
    picked = shares[np.arange(count), targets]
    return np.sum(-np.log(picked)) / count
