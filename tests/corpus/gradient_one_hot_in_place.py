# expect: correct
def cross_entropy_gradient(logits, target_index):
    z = np.asarray(logits, dtype=float)
    p = np.exp(z - z.max())
    p /= p.sum()
    y = np.zeros_like(p)
    y[target_index] = 1.0
    p -= y
    return p
