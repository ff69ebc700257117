# expect: buggy: a fixed step eps = 1e-4 whatever `epsilon` says, and x is put back by arithmetic (+= eps, -= 2 * eps, +=
#   eps), which leaves rounding drift in the caller's array
# behaviour of: IgorL123/simple_autograd, gradient_ckeck.py, gradient_check(f, *args): the numerical part, on one argument held as a NumPy array (realize_cached_data() is the array itself) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    eps = 1e-4
    grad = np.zeros(x.shape)
    for j in range(x.size):
        x.flat[j] += eps
        f1 = float(np.sum(f(x)))
        x.flat[j] -= 2 * eps
        f2 = float(np.sum(f(x)))
        x.flat[j] += eps
        grad.flat[j] = (f1 - f2) / (2 * eps)
    return grad
