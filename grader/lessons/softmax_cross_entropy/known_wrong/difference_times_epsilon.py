def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        plus = x.astype(float).copy()
        minus = x.astype(float).copy()
        plus[index] += epsilon
        minus[index] -= epsilon
        grad[index] = (f(plus) - f(minus)) / 2 * epsilon
    return grad
