# expect: buggy: a fixed step eps = 1e-4 whatever `epsilon` says, and `w_p[i] += eps` over range(len(w)) nudges a whole
#   row of a 2-D array at once
# behaviour of: callmeislaan/learnAi, check_grad.py, numerical_grad(w, cost); glue: the arguments in the lesson's order (f, x) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    eps = 1e-4
    g = np.asarray(np.zeros_like(x))
    for i in range(len(x)):
        w_p = x.copy()
        w_n = x.copy()
        w_p[i] += eps
        w_n[i] -= eps
        g[i] = (f(w_p) - f(w_n)) / (2 * eps)
    return g
