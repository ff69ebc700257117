# expect: buggy: loops over x.shape[0] and nudges x[idx], a whole row on a 2-D x; fixed step 1e-4
# behaviour of: cxw745/AI_SYSU_2023, lab6/gradient.py, numerical_gradient(f, x) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    step = 1e-4  # the epsilon argument is not used
    result = np.zeros_like(x)
    for i in range(len(x)):
        if x.ndim == 1:
            kept = x[i]
            x[i] = kept + step
            upper = f(x)
            x[i] = kept - step
            lower = f(x)
            x[i] = kept
        else:
            # x[i] is a whole row and a view: it goes up by step, then back down from there,
            # so the second value is taken near the start point and the row keeps any rounding
            row = x[i]
            row += step
            upper = f(x)
            row -= step
            lower = f(x)
        result[i] = (upper - lower) / (2 * step)
    return result
