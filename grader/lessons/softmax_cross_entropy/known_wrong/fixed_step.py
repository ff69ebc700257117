def finite_difference_gradient(f, x, epsilon=1e-5):
    h = 1e-5
    point = np.array(x, dtype=float)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + h
        above = f(point)
        point[index] = original - h
        below = f(point)
        point[index] = original
        gradient[index] = (above - below) / (2 * h)
    return gradient
