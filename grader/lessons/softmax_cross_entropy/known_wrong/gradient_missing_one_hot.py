def cross_entropy_gradient(logits, target_index):
    e = np.exp(logits - np.max(logits))
    p = e / e.sum()
    y = np.zeros_like(p)
    y[target_index] == 1
    return p - y
