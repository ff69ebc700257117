# expect: f_on_a_slice
def finite_difference_gradient(f, x, epsilon=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.shape[0]):
        grad[i] = (f(x[i] + epsilon) - f(x[i] - epsilon)) / (2 * epsilon)
    return grad
