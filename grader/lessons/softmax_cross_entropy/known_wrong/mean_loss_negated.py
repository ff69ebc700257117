def sequence_mean_loss(logits, targets):
    m = np.max(logits, axis=1, keepdims=True)
    log_probs = logits - m - np.log(np.sum(np.exp(logits - m), axis=1, keepdims=True))
    return float(np.mean(log_probs[np.arange(len(targets)), targets]))
