# expect: buggy: -log of the softmax probability: inf once the target's probability underflows to 0
# mistake: positions_log_of_softmax
# behaviour of: tedpham89/Deep-Learning, project2/part1-convnet/modules/softmax_ce.py, SoftmaxCrossEntropy.forward (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    table = np.asarray(logits)
    weights = np.exp(table - table.max(axis=1, keepdims=True))
    probabilities = weights / weights.sum(axis=1, keepdims=True)
    # the log of the probability itself
    return -np.log(probabilities[np.arange(table.shape[0]), targets])
