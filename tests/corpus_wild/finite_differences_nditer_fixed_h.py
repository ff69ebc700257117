# expect: buggy: a fixed step h = 1e-4 that ignores the epsilon argument
# mistake: fixed_step
# behaviour of: sho-gun/deepLearningTraining, src/module/Gradient.py, numerical_gradient(func, x) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    step = 1e-4  # the epsilon argument is not used
    slopes = np.zeros_like(x)
    for position in np.ndindex(*x.shape):
        centre = x[position]
        values = []
        for shift in (step, -step):
            x[position] = centre + shift
            values.append(f(x))
        x[position] = centre
        slopes[position] = (values[0] - values[1]) / (2 * step)
    return slopes
