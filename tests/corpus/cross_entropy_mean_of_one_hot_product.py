# expect: loss_averaged_over_classes
def cross_entropy_from_logits(logits, target_index):
    z = logits - np.max(logits)
    log_p = z - np.log(np.sum(np.exp(z)))
    y = np.zeros(len(logits))
    y[target_index] = 1
    return float(-np.mean(y * log_p))
