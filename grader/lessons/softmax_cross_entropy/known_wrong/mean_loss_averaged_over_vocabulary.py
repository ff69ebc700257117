def sequence_mean_loss(logits, targets):
    m = logits.max(axis=1, keepdims=True)
    log_probs = logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))
    one_hot = np.eye(logits.shape[1])[targets]
    return float(-np.mean(one_hot * log_probs))
