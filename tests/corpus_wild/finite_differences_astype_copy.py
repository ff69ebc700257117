# expect: correct
# behaviour of: cs231n/cs231n.github.io, assignment gradient_check.py, eval_numerical_gradient on a float64 copy (x.astype(np.float64)) so the caller's array is never touched (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    work = x.astype(np.float64)
    grad = np.zeros(work.shape)
    it = np.nditer(work, flags=["multi_index"])
    while not it.finished:
        ix = it.multi_index
        old = work[ix]
        work[ix] = old + epsilon
        fxph = f(work)
        work[ix] = old - epsilon
        fxmh = f(work)
        work[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * epsilon)
        it.iternext()
    return grad
