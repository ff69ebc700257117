def finite_difference_gradient(f, x, epsilon=1e-5):
    point = np.array(x, dtype=float)
    gradient = np.zeros_like(point)
    at_x = f(point)
    for index in np.ndindex(point.shape):
        point[index] += epsilon
        gradient[index] = (f(point) - at_x) / epsilon
        point[index] -= epsilon
    return gradient
