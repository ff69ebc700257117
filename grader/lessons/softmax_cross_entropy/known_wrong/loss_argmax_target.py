def cross_entropy_from_logits(logits, target_index):
    m = logits.max()
    log_sum_exp = m + np.log(np.sum(np.exp(logits - m)))
    return float(log_sum_exp - logits[np.argmax(logits)])
