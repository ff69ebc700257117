# expect: buggy: written for a batch: the 1-D logits become a (1, C) batch and the per-example losses come back as a
#   (1,) array, not a number
# behaviour of: yjl-001/AiFramework, mytorch/nn/loss.py, cross_entropy_loss(logits, targets) with reduction left out (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    batch = np.atleast_2d(np.asarray(logits, dtype=float))
    targets = np.array([target_index])
    top = batch.max(axis=1, keepdims=True)
    log_probs = batch - top - np.log(np.exp(batch - top).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(batch.shape[0]), targets]
