# expect: buggy: probabilities from np.exp of the raw logits: nan once a logit is near 1000
# mistake: gradient_no_max_shift
# behaviour of: mehrdadmoradii/neural-network, src/losses/cross_entropy.py, CrossEntropyLoss.__call__ (the dx part) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    # exponentials of the raw logits: no shift by the maximum
    powered = np.exp(logits)
    grad = np.divide(powered, np.sum(powered))
    grad[target_index] = grad[target_index] - 1.0
    return grad
