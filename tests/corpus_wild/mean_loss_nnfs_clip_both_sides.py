# expect: buggy: probabilities clipped to [1e-7, 1 - 1e-7]: a vanishing probability caps a position's loss at 16.1
#   and a certain one adds 1e-7
# behaviour of: Sentdex/nnfs_book, Chapter_15/Ch15_Final.py, Activation_Softmax.forward + Loss_CategoricalCrossentropy (forward + Loss.calculate, the mean of the sample losses) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    weights = np.exp(logits - np.amax(logits, axis=1, keepdims=True))
    probabilities = weights / np.sum(weights, axis=1, keepdims=True)
    # both ends clipped: nothing below 1e-7, nothing above 1 - 1e-7
    bounded = np.clip(probabilities, 1e-7, 1 - 1e-7)
    if targets.ndim == 2:  # one-hot rows are accepted too
        chance = np.sum(bounded * targets, axis=1)
    else:
        chance = bounded[np.arange(len(bounded)), targets]
    return np.mean(-np.log(chance))
