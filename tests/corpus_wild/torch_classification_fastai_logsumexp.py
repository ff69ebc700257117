# expect: correct
# behaviour of: fastai/course-v3, nbs/dl2/03_minibatch_training.ipynb, logsumexp(x) = m + (x - m[:, None]).exp().sum(-1).log() and nll(log_softmax(x), target) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    m = logits.max(-1)[0]
    lse = m + (logits - m[:, None]).exp().sum(-1).log()
    log_probs = logits - lse[:, None]
    return -log_probs[range(targets.shape[0]), targets].mean()
