# expect: correct
# behaviour of: eliben/deep-learning-samples, gradients/numgrad.py, eval_numerical_gradient(f, x, verbose=False, h=1e-5); glue: epsilon passed as h (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + epsilon
        above = f(x)
        x[ix] = old - epsilon
        below = f(x)
        x[ix] = old  # the saved value goes back exactly
        grad[ix] = (above - below) / (2 * epsilon)
        it.iternext()
    return grad
