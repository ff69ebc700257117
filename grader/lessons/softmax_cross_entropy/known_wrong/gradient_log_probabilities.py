def cross_entropy_gradient(logits, target_index):
    log_p = logits - logits.max() - np.log(np.sum(np.exp(logits - logits.max())))
    y = np.eye(len(logits))[target_index]
    return log_p - y
