# expect: buggy: softmax of the raw logits (inf / inf = nan near 1000) and -log of it (inf when a target underflows)
# mistake: mean_loss_no_max_shift
# behaviour of: mehrdadmoradii/neural-network, src/losses/cross_entropy.py, CrossEntropyLoss.__call__(x, y) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    # exponentials of the raw logits (no shift by the maximum), then the log of the probability
    powered = np.exp(logits)
    probabilities = powered / powered.sum(axis=1, keepdims=True)
    count = logits.shape[0]
    picked = probabilities[np.arange(count), targets]
    return np.sum(-np.log(picked)) / count
