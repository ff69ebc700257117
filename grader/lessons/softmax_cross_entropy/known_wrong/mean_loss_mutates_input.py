def sequence_mean_loss(logits, targets):
    logits -= np.max(logits, axis=1, keepdims=True)
    log_sum_exp = np.log(np.sum(np.exp(logits), axis=1))
    return float(np.mean(log_sum_exp - logits[np.arange(logits.shape[0]), targets]))
