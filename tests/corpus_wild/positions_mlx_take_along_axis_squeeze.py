# expect: buggy: squeezes the picked (T, 1) column with a bare .squeeze(): a single position (T = 1) comes back as a
#   0-d array, not shape (1,)
# behaviour of: ml-explore/mlx, python/mlx/nn/losses.py, cross_entropy(logits, targets, axis) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    top = z.max(axis=-1, keepdims=True)
    lse = (top + np.log(np.exp(z - top).sum(axis=-1, keepdims=True))).squeeze()
    score = np.take_along_axis(z, np.asarray(targets)[:, None], axis=-1).squeeze()
    return lse - score
