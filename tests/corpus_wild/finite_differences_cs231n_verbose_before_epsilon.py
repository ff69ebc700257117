# expect: buggy: the port keeps the checker's parameter order (f, x, verbose, step), so an epsilon passed by position
#   lands in `verbose` and the step stays at its default 1e-5
# behaviour of: aliweiya/code, machine_learning/deep_learning/cs231n/assignment2/cs231n/gradient_check.py, eval_numerical_gradient(f, x, verbose=True, h=...) with h renamed epsilon and verbose off by default (written here from scratch; no code copied)
def finite_difference_gradient(f, x, verbose=False, epsilon=1e-5):
    grad = np.zeros_like(x, dtype=float)
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
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad
