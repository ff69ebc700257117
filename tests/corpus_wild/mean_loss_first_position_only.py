# expect: buggy: returns the first position's loss divided by T (cross_entropy[0] / m) instead of the mean
# behaviour of: DEVLOKER/neural-network, 2/CrossEntropy.py, CrossEntropy.forward(X, y) with the file's softmax(x) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    count = targets.shape[0]
    # only the first position's loss is used, then divided by the number of positions
    first = logits[0]
    weights = np.exp(first - np.max(first))
    chance = weights[targets[0]] / weights.sum()
    return -np.log(chance) / count
