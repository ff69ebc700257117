# expect: buggy: log of the softmax probability: -log(0) = inf when the target's probability underflows
# mistake: neg_log_softmax
# behaviour of: ml-explore/mlx, python/mlx/nn/losses.py, MLE_loss(logits, targets, axis=-1) (early version, before it used mx.log_softmax) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    # the row is shifted by its maximum twice (the second shift subtracts 0)
    once = logits - logits.max(axis=-1, keepdims=True)
    twice = once - once.max(axis=-1, keepdims=True)
    weights = np.exp(twice)
    probabilities = weights / weights.sum(axis=-1, keepdims=True)
    # the log is taken of the probability itself
    return float(-np.log(probabilities[..., target_index]))
