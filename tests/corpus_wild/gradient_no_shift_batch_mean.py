# expect: buggy: probabilities from np.exp of the raw logits: nan once a logit is near 1000
# mistake: gradient_no_max_shift
# behaviour of: salimandre/my-own-neural-network, loss.py, grad_softmax_crossentropy_with_logits(logits, reference_answers) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    # exponentials of the raw logits: no shift by the maximum
    raw = np.exp(np.asarray(logits))
    result = raw / raw.sum()
    result[target_index] -= 1
    return result
