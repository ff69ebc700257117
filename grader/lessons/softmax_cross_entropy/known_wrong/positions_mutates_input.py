def per_position_cross_entropy(logits, targets):
    logits -= np.max(logits, axis=1, keepdims=True)
    log_sum_exp = np.log(np.sum(np.exp(logits), axis=1))
    return log_sum_exp - logits[np.arange(logits.shape[0]), targets]
