# expect: forward_difference
def finite_difference_gradient(f, x, epsilon=1e-5):
    h = 1e-4
    fx = f(x)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp = x.copy(); xp[idx] += h
        grad[idx] = (f(xp) - fx) / h
    return grad
