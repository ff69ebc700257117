# expect: buggy: on a 2-D x it calls f on single rows (np.apply_along_axis) instead of the whole array; fixed step 1e-4
# behaviour of: nex3z/deep-learning-scratch, functions/diff.py, numerical_gradient_1d + numerical_gradient(f, x) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    step = 1e-4  # the epsilon argument is not used

    def along(line):
        # central differences on one 1-D view, nudging it in place and calling f on that view alone
        slopes = np.zeros_like(line)
        for k in range(line.shape[0]):
            kept = line[k]
            line[k] = kept + step
            upper = f(line)
            line[k] = kept - step
            lower = f(line)
            line[k] = kept
            slopes[k] = (upper - lower) / (2 * step)
        return slopes

    if x.ndim == 1:
        return along(x)
    # more than one dimension: every line along axis 1 is handled on its own, and f only ever sees that line
    result = np.zeros_like(x)
    lines_in, lines_out = np.moveaxis(x, 1, -1), np.moveaxis(result, 1, -1)
    for lead in np.ndindex(*lines_in.shape[:-1]):
        lines_out[lead] = along(lines_in[lead])
    return result
