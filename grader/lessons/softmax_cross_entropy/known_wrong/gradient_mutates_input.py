def cross_entropy_gradient(logits, target_index):
    logits -= np.max(logits)
    p = np.exp(logits) / np.sum(np.exp(logits))
    p[target_index] -= 1.0
    return p
