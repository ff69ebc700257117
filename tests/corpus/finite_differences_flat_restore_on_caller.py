# expect: correct
def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        old = x.flat[i]
        x.flat[i] = old + epsilon
        fp = f(x)
        x.flat[i] = old - epsilon
        fm = f(x)
        x.flat[i] = old
        grad.flat[i] = (fp - fm) / (2 * epsilon)
    return grad
