# expect: logsumexp_no_shift
def cross_entropy_from_logits(logits, target_index):
    return float(-np.log(np.exp(logits[target_index]) / np.sum(np.exp(logits))))
