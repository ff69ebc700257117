# expect: correct
# behaviour of: jax-ml/jax, jax/_src/public_test_util.py, numerical_jvp(f, primals, tangents, eps) with its helpers add/sub (keep the input dtype), safe_sub (inf - inf == 0) and scalar_mul (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    point = np.asarray(x)
    kind = point.dtype
    grad = np.zeros(point.shape, dtype=kind)
    for where in np.ndindex(point.shape):
        bump = np.zeros(point.shape, dtype=kind)
        bump[where] = epsilon
        plus = f(np.array(point + bump, dtype=kind))
        minus = f(np.array(point - bump, dtype=kind))
        out_kind = np.result_type(plus)
        if plus == minus:  # equal values (inf and inf included) give a difference of exactly 0
            gap = np.zeros((), dtype=out_kind)
        else:
            gap = np.subtract(plus, minus, dtype=out_kind)
        grad[where] = gap * np.array(0.5 / epsilon, dtype=out_kind)
    return grad
