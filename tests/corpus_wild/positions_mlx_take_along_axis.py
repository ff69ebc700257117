# expect: correct
# behaviour of: ml-explore/mlx, python/mlx/nn/losses.py, cross_entropy(logits, targets, axis=-1) (early version) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    picked = logits[np.arange(logits.shape[0]), np.asarray(targets)]
    return np.logaddexp.reduce(logits, axis=-1) - picked
