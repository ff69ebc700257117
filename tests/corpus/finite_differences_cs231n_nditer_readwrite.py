# expect: correct
def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + epsilon
        fxph = f(x)
        x[ix] = oldval - epsilon
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * epsilon)
        it.iternext()
    return grad
