# expect: buggy: nudges every entry at once and returns one number for the whole array
# mistake: perturbs_all_elements
# behaviour of: Sanghoney96/mytorch_project, tests/utils4test.py, numerical_grad(func, x, eps=1e-4) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    # every entry is moved at once, so the answer is one number for the whole array
    below = f(x - epsilon)
    above = f(x + epsilon)
    return (above - below) / (2 * epsilon)
