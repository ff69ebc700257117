# expect: buggy: the step is a parameter named h (default 1e-6), so a caller passing epsilon=... by keyword gets a
#   TypeError; otherwise central differences with each entry restored
# behaviour of: pskrunner14/neural-networks, tests/test_util.py, eval_numerical_gradient(f, x, h=1e-6) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, h=1e-6):
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        old = x[ix]
        x[ix] = old + h
        plus = f(x)
        x[ix] = old - h
        minus = f(x)
        x[ix] = old
        grad[ix] = (plus - minus) / (2 * h)
        it.iternext()
    return grad
