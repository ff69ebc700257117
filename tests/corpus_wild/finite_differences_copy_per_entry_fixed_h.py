# expect: buggy: a fixed step h = 1e-4 whatever `epsilon` says
# mistake: fixed_step
# behaviour of: kamucomecats/D_Learning, experiments/grad.py, gradient(f, x) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    h = 1e-4
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        value = x[i]
        up = x.copy()
        up[i] = value + h
        down = x.copy()
        down[i] = value - h
        grad[i] = (f(up) - f(down)) / (2 * h)
        it.iternext()
    return grad
