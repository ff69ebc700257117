def finite_difference_gradient(f, x, epsilon=1e-5):
    x = np.asarray(x, dtype=np.float32)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        xp = x.copy(); xp[idx] += epsilon
        xm = x.copy(); xm[idx] -= epsilon
        grad[idx] = (f(xp) - f(xm)) / (2 * epsilon)
    return grad
