# expect: fixed_step
def finite_difference_gradient(f, x, epsilon=1e-5):
    h = 1e-4
    x = np.asarray(x, dtype=float)
    grad = np.zeros(x.size)
    for i, step in enumerate(np.eye(x.size) * h):
        step = step.reshape(x.shape)
        grad[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad.reshape(x.shape)
