def sequence_mean_loss(logits, targets):
    probs = stable_softmax(logits, axis=1)
    eps = 1e-15
    picked = np.clip(probs[np.arange(len(targets)), targets], eps, 1 - eps)
    return float(np.mean(-np.log(picked)))
