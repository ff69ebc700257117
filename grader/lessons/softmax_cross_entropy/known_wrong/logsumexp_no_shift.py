def cross_entropy_from_logits(logits, target_index):
    log_sum_exp = np.log(np.sum(np.exp(logits)))
    return float(log_sum_exp - logits[target_index])
