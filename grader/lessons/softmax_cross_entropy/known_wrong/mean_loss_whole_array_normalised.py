def sequence_mean_loss(logits, targets):
    exps = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = exps / np.sum(exps)
    return float(np.mean(-np.log(probs[np.arange(len(targets)), targets])))
