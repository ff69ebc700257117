def cross_entropy_from_logits(logits, target_index):
    m = logits.max()
    log_probs = logits - (m + np.log(np.sum(np.exp(logits - m))))
    return float(-np.sum(log_probs))
