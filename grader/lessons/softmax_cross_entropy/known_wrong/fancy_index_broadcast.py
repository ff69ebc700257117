def per_position_cross_entropy(logits, targets):
    row_max = logits.max(axis=1, keepdims=True)
    log_sum_exp = row_max[:, 0] + np.log(np.exp(logits - row_max).sum(axis=1))
    return log_sum_exp - logits[:, targets]
