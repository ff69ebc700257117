# expect: perturbs_whole_row
def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x)
    for i in range(x.size):
        xp = x.copy(); xp[i] += epsilon
        xm = x.copy(); xm[i] -= epsilon
        grad[i] = (f(xp) - f(xm)) / (2 * epsilon)
    return grad
