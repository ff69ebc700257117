# expect: cross_entropy_negated
def cross_entropy_from_logits(logits, target_index):
    m = np.max(logits)
    return float(logits[target_index] - m - np.log(np.sum(np.exp(logits - m))))
