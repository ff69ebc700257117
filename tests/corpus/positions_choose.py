# expect: correct
def per_position_cross_entropy(logits, targets):
    m = logits.max(axis=1)
    lse = m + np.log(np.exp(logits - m[:, None]).sum(axis=1))
    return lse - np.choose(targets, logits.T)
