# expect: buggy: -log of the softmax probability (picked with a one-hot mask): inf once a target's probability
#   underflows to 0
# behaviour of: waynemystir/simple-neural-nets, sigmoid_softmax_iris_condensed.py (a2 and loss) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    positions = logits.shape[0]
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = weights / weights.sum(axis=1, keepdims=True)
    # the log of the probability itself
    picked = probabilities[np.arange(positions), targets]
    return -np.log(picked).sum() / positions
