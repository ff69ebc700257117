def per_position_cross_entropy(logits, targets):
    top = np.max(logits, axis=1, keepdims=True)
    log_sum_exp = top + np.log(np.sum(np.exp(logits - top), axis=1, keepdims=True))
    return log_sum_exp - logits[np.arange(logits.shape[0]), targets]
