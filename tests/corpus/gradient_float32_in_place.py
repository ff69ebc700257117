# expect: gradient_in_float32
def cross_entropy_gradient(logits, target_index):
    z = np.asarray(logits, dtype=np.float32)
    p = np.exp(z - z.max())
    p = p / p.sum()
    p[target_index] -= 1
    return p
