def sequence_mean_loss(logits, targets):
    m = logits.max(axis=1)
    log_sum_exp = m + np.log(np.exp(logits - m[:, None]).sum(axis=1))
    return float(np.mean(log_sum_exp - logits[np.arange(len(logits)), logits.argmax(axis=1)]))
