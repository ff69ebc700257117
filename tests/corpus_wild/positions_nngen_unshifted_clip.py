# expect: buggy: exponentiates the raw logits (a row near 1000 gives inf / inf = nan) and clips the probabilities at
#   1e-10, which caps a vanishing target's loss at 23.0
# behaviour of: sefutsu/nngen, nngen/verify/loss_function.py, cross_entropy_loss(weight, target, reduction='none') with target the one-hot of targets (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    softmax = np.exp(logits)
    softmax /= softmax.sum(axis=1, keepdims=True)
    softmax = np.clip(softmax, 1e-10, None)
    target = np.eye(logits.shape[1])[targets]
    return -(np.log(softmax) * target).sum(axis=1)
