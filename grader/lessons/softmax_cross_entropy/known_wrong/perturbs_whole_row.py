def finite_difference_gradient(f, x, epsilon=1e-5):
    gradient = np.zeros_like(x, dtype=float)
    for i in range(len(x)):
        x_plus = np.array(x, dtype=float)
        x_minus = np.array(x, dtype=float)
        x_plus[i] += epsilon
        x_minus[i] -= epsilon
        gradient[i] = (f(x_plus) - f(x_minus)) / (2 * epsilon)
    return gradient
