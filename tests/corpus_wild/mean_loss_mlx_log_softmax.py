# expect: correct
# behaviour of: ml-explore/mlx, python/mlx/nn/losses.py, MLE_loss(logits, targets, axis=-1) (the version using mx.log_softmax) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    centred = logits - logits.max(axis=-1, keepdims=True)
    log_probs = centred - np.log(np.exp(centred).sum(axis=-1, keepdims=True))
    picked = log_probs[np.arange(len(log_probs)), np.asarray(targets)]
    return float(-picked.mean())
