# expect: buggy: loops over x.size but indexes x[idx] (rows of a 2-D x, then out of bounds); fixed step 1e-4
# behaviour of: skc111/deep_learning_from_scratch, 4.4.py, numerical_gradient(f, x) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    step = 1e-4  # the epsilon argument is not used
    result = np.zeros_like(x)
    count = 0
    # counts to x.size but indexes along the first axis only: x[count] is a row of a 2-D x,
    # and once count reaches len(x) the indexing fails with an IndexError
    while count < x.size:
        entry = x[count]
        if np.ndim(entry) == 0:
            x[count] = entry + step
            upper = f(x)
            x[count] = entry - step
            lower = f(x)
            x[count] = entry
        else:  # a row view: up by step, then back down from there
            entry += step
            upper = f(x)
            entry -= step
            lower = f(x)
        result[count] = (upper - lower) / (2 * step)
        count += 1
    return result
