# expect: buggy: a fixed step h = 1e-4 whatever `epsilon` says
# mistake: fixed_step
# behaviour of: drxyzw/deep-learning-from-scratch, common/gradient.py, numerical_gradient(f, x) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    h = 1.0e-4
    grad = np.zeros_like(x)
    for idx, _ in np.ndenumerate(x):
        saved = x[idx]
        x[idx] = saved + h
        above = f(x)
        x[idx] = saved - h
        below = f(x)
        grad[idx] = (above - below) / (2.0 * h)
        x[idx] = saved
    return grad
