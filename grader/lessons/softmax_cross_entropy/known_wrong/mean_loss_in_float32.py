def sequence_mean_loss(logits, targets):
    z = logits.astype(np.float32)
    m = z.max(axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.exp(z - m).sum(axis=1))
    return float(np.mean(lse - z[np.arange(len(targets)), targets]))
