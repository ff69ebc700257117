# expect: buggy: `x_plus = x` and `x_minus = x` are the same array as x (no copy): the minus step undoes the plus
#   step, so every entry is (f(x + eps) - f(x)) / (2 eps), about half the slope, and x drifts by rounding
# mistake: aliased_copies
# behaviour of: NickMcSweeney/machine_learning_labs, lab1/checkGradient.m, checkGradient(J, theta) ported to NumPy with assignment in place of Octave's copy (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        x_plus = x
        x_plus[index] += epsilon
        f_plus = f(x_plus)
        x_minus = x
        x_minus[index] -= epsilon
        f_minus = f(x_minus)
        grad[index] = (f_plus - f_minus) / (2 * epsilon)
    return grad
