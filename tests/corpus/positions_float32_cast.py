# expect: positions_in_float32
def per_position_cross_entropy(logits, targets):
    z = logits.astype(np.float32)
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(targets)), targets]
