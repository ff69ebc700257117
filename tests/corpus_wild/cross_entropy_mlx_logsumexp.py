# expect: correct
# behaviour of: ml-explore/mlx, python/mlx/nn/losses.py, cross_entropy(logits, targets, axis=-1) (early version) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    normaliser = np.logaddexp.reduce(logits, axis=-1)
    return float(normaliser - logits[..., target_index])
