# expect: buggy: label smoothing 0.1: 0.9 * the loss + 0.1 * the mean of -log p over the vocabulary, which is not the
#   cross-entropy asked for
# mistake: mean_loss_label_smoothing
# behaviour of: jadore801120/attention-is-all-you-need-pytorch, train.py, cal_loss(pred, gold, trg_pad_idx, smoothing=True) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    eps = 0.1
    z = np.asarray(logits, dtype=float)
    vocabulary = z.shape[1]
    top = z.max(axis=1, keepdims=True)
    log_probs = z - top - np.log(np.exp(z - top).sum(axis=1, keepdims=True))
    one_hot = np.eye(vocabulary)[np.asarray(targets)]
    smoothed = one_hot * (1 - eps) + (1 - one_hot) * eps / (vocabulary - 1) if vocabulary > 1 else one_hot
    return float(-(smoothed * log_probs).sum(axis=1).mean())
