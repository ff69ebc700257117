# expect: buggy: log(sum(exp(logits))) of the raw logits overflows to inf near 1000
# mistake: positions_no_max_shift
# behaviour of: salimandre/my-own-neural-network, loss.py, softmax_crossentropy_with_logits(logits, reference_answers) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    rows = np.arange(len(logits))
    # log-sum-exp of the raw logits: no shift by the maximum
    normaliser = np.log(np.exp(logits).sum(axis=-1))
    return normaliser - logits[rows, targets]
