# expect: correct
def per_position_cross_entropy(logits, targets):
    n = logits.shape[0]
    logit_maxes = logits.max(1, keepdims=True)
    norm_logits = logits - logit_maxes
    counts = np.exp(norm_logits)
    counts_sum_inv = counts.sum(1, keepdims=True) ** -1
    probs_log = norm_logits + np.log(counts_sum_inv)
    return -probs_log[range(n), targets]
