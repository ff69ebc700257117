def finite_difference_gradient(f, x, epsilon=1e-5):
    gradient = np.zeros(np.shape(x))
    for index in np.ndindex(gradient.shape):
        gradient[index] = (f(x[index] + epsilon) - f(x[index] - epsilon)) / (2 * epsilon)
    return gradient
