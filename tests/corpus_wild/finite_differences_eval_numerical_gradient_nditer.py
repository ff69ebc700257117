# expect: correct
# behaviour of: pskrunner14/neural-networks, tests/test_util.py, eval_numerical_gradient(f, x, h=1e-6) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    f(x)  # one evaluation at the point itself, its value unused

    def value_with(position, shift, centre):
        x[position] = centre + shift
        return f(x)

    slopes = np.zeros_like(x)
    for position in np.ndindex(*x.shape):
        centre = x[position]
        ahead = value_with(position, epsilon, centre)
        behind = value_with(position, -epsilon, centre)
        x[position] = centre
        slopes[position] = (ahead - behind) / (2 * epsilon)
    return slopes
