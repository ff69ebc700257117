def per_position_cross_entropy(logits, targets):
    m = np.max(logits, axis=0, keepdims=True)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=0, keepdims=True))
    log_probs = logits - lse
    return -log_probs[np.arange(len(targets)), targets]
