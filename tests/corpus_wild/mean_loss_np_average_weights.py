# expect: correct
# behaviour of: jadore801120/attention-is-all-you-need-pytorch, train.py, cal_loss averaged over the non-pad positions (here every position counts) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    z = np.asarray(logits, dtype=float)
    top = z.max(axis=1, keepdims=True)
    losses = (top[:, 0] + np.log(np.exp(z - top).sum(axis=1))) - z[np.arange(z.shape[0]), targets]
    weights = np.ones_like(losses)  # no padding in these sequences: every position weighs the same
    return float(np.average(losses, weights=weights))
