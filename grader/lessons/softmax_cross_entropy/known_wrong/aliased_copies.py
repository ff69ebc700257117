def finite_difference_gradient(f, x, epsilon=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        x_plus = x
        x_plus[index] += epsilon
        f_plus = f(x_plus)
        x_minus = x
        x_minus[index] -= epsilon
        grad[index] = (f_plus - f(x_minus)) / (2 * epsilon)
    return grad
