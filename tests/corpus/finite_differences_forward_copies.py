# expect: forward_difference
def finite_difference_gradient(f, x, epsilon=1e-5):
    x = np.asarray(x, dtype=float)
    fx = f(x)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        bumped = x.copy()
        bumped[it.multi_index] += epsilon
        grad[it.multi_index] = (f(bumped) - fx) / epsilon
    return grad
