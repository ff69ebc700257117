# expect: correct
# behaviour of: parasdahal/deepnet, deepnet/utils.py, numerical_gradient_array(f, x, df, h) with an upstream gradient df = 1 for a scalar f (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    df = 1.0
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + epsilon
        pos = np.array(f(x), dtype=float)
        x[ix] = old - epsilon
        neg = np.array(f(x), dtype=float)
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * epsilon)
        it.iternext()
    return grad
