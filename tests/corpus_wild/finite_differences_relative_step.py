# expect: buggy: the step is scaled by the entry's size (h = epsilon * max(1, |x_i|)), as optimisers' numerical
#   derivatives do, so for entries beyond 1 in size the step is not the caller's epsilon
# behaviour of: scipy/scipy, scipy/optimize/_numdiff.py, _compute_absolute_step (a relative step, sign(x0) * max(1, |x0|) times the step) with the 3-point formula (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    work = np.array(x, dtype=float)
    grad = np.zeros_like(work)
    for index in np.ndindex(work.shape):
        old = work[index]
        h = epsilon * max(1.0, abs(old))
        work[index] = old + h
        plus = f(work)
        work[index] = old - h
        minus = f(work)
        work[index] = old
        grad[index] = (plus - minus) / (2 * h)
    return grad
