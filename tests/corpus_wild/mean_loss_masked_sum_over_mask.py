# expect: buggy: treats token 0 as padding: positions whose target is 0 are left out of the mean (sum of the masked
#   losses over the number of non-zero targets)
# mistake: mean_loss_pad_token_ignored
# behaviour of: jadore801120/attention-is-all-you-need-pytorch, train.py, cal_loss(pred, gold, trg_pad_idx) without smoothing (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    z = np.asarray(logits, dtype=float)
    top = z.max(axis=1, keepdims=True)
    losses = (top[:, 0] + np.log(np.exp(z - top).sum(axis=1))) - z[np.arange(z.shape[0]), targets]
    keep = np.asarray(targets) != 0
    return float(losses[keep].sum() / keep.sum())
