def sequence_mean_loss(logits, targets):
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    picked = probabilities[np.arange(len(targets)), targets]
    return float(np.mean(-np.log(picked)))
