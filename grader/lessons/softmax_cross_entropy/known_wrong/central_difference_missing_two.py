def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        plus = np.array(x, dtype=float)
        minus = np.array(x, dtype=float)
        plus[index] += epsilon
        minus[index] -= epsilon
        grad[index] = (f(plus) - f(minus)) / epsilon
    return grad
