# expect: perturbs_all_elements
def finite_difference_gradient(f, x, epsilon=1e-5):
    x = np.asarray(x, dtype=float)
    return (f(x + epsilon) - f(x - epsilon)) / (2 * epsilon) * np.ones_like(x)
