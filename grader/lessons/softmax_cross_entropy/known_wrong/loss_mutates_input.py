def cross_entropy_from_logits(logits, target_index):
    logits -= np.max(logits)
    return float(np.log(np.sum(np.exp(logits))) - logits[target_index])
