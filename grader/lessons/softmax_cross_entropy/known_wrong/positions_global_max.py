def per_position_cross_entropy(logits, targets):
    m = np.max(logits)
    lse = m + np.log(np.sum(np.exp(logits - m), axis=1))
    return lse - logits[np.arange(len(targets)), targets]
