def finite_difference_gradient(f, x, epsilon=1e-5):
    gradient = np.zeros(np.shape(x))
    for index in np.ndindex(gradient.shape):
        x[index] += epsilon
        above = f(x)
        x[index] -= 2 * epsilon
        below = f(x)
        x[index] += epsilon
        gradient[index] = (above - below) / (2 * epsilon)
    return gradient
