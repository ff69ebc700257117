def sequence_mean_loss(logits, targets, smoothing=0.1):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    soft = np.full(logits.shape, smoothing / logits.shape[1])
    soft[np.arange(logits.shape[0]), targets] += 1.0 - smoothing
    return float(np.mean(-np.sum(soft * log_probs, axis=1)))
