# expect: buggy: probabilities clipped to [1e-15, 1 - 1e-15] cap each position's loss at 34.5
# behaviour of: vfdev-5/Intel_MobileODT, common/metrics.py, logloss_mc(y_true, y_prob, epsilon=1e-15) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    tiny = 1e-15
    table = np.array(logits, dtype=float)
    weights = np.exp(table - table.max(axis=1, keepdims=True))
    probabilities = weights / weights.sum(axis=1, keepdims=True)
    probabilities = probabilities / probabilities.sum(axis=1, keepdims=True)  # renormalised once more
    # each probability is kept inside [tiny, 1 - tiny]
    bounded = np.clip(probabilities, tiny, 1 - tiny)
    picked = bounded[np.arange(len(bounded)), targets]
    return -np.log(picked).mean()
