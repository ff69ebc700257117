def cross_entropy_from_logits(logits, target_index):
    shifted = logits - np.max(logits)
    log_probs = shifted - np.log(np.sum(np.exp(shifted)))
    one_hot = np.zeros(len(logits))
    one_hot[target_index] = 1.0
    return float(-np.mean(one_hot * log_probs))
