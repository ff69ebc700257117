# expect: correct
# behaviour of: aliweiya/code, machine_learning/deep_learning/cs231n/assignment2/cs231n/gradient_check.py, eval_numerical_gradient(f, x, verbose=True, h=0.0001), printing every partial derivative as its default verbose=True does; glue: epsilon passed as h (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    verbose = True
    fx = f(x)  # the value at x, computed first and never used
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        saved = x[ix]
        x[ix] = saved + epsilon
        plus = f(x)
        x[ix] = saved - epsilon
        minus = f(x)
        x[ix] = saved
        grad[ix] = (plus - minus) / (2 * epsilon)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad
