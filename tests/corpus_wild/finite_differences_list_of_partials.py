# expect: buggy: the partial derivatives are appended to a Python list, which is returned flat (a list, and for a
#   2-D x the wrong shape)
# behaviour of: gs-yoon/handmade_learning_py, src/essential/difference.py, numericalGrad with the partials gathered in a list and the caller's epsilon (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    partials = []
    for index in np.ndindex(x.shape):
        old = x[index]
        x[index] = old + epsilon
        plus = f(x)
        x[index] = old - epsilon
        minus = f(x)
        x[index] = old
        partials.append((plus - minus) / (2 * epsilon))
    return partials
