def sequence_mean_loss(logits, targets):
    m = logits.max(axis=1, keepdims=True)
    log_probs = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    return float(np.mean(-log_probs.sum(axis=1)))
