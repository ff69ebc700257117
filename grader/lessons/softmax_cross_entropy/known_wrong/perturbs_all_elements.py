def finite_difference_gradient(f, x, epsilon=1e-5):
    x = np.asarray(x, dtype=float)
    slope = (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon)
    return np.full(x.shape, slope)
