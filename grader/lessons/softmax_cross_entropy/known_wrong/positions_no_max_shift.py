def per_position_cross_entropy(logits, targets):
    log_sum_exp = np.log(np.sum(np.exp(logits), axis=1))
    return log_sum_exp - logits[np.arange(len(targets)), targets]
