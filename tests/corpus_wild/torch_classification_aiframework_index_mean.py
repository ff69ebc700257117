# expect: correct
# behaviour of: yjl-001/AiFramework, mytorch/nn/loss.py, cross_entropy_loss(logits, targets): its Tensor's log_softmax(dim=1), row indexing with np.arange and mean, here on torch tensors, which have the same methods (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    log_probs = logits.log_softmax(dim=1)
    batch_size = targets.shape[0]
    return -log_probs[np.arange(batch_size), targets].mean()
