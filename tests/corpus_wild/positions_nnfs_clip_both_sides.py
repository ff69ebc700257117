# expect: buggy: probabilities clipped to [1e-7, 1 - 1e-7]: a vanishing probability caps the loss at 16.1 and a
#   certain one gets 1e-7 instead of ~0
# behaviour of: Sentdex/nnfs_book, Chapter_15/Ch15_Final.py, Activation_Softmax.forward + Loss_CategoricalCrossentropy.forward (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = weights / weights.sum(axis=1, keepdims=True)
    # both ends clipped: nothing below 1e-7, nothing above 1 - 1e-7
    bounded = np.clip(probabilities, 1e-7, 1 - 1e-7)
    if targets.ndim == 2:  # one-hot rows are accepted too
        chance = (bounded * targets).sum(axis=1)
    else:
        chance = bounded[np.arange(bounded.shape[0]), targets]
    return -np.log(chance)
