# expect: buggy: log_softmax as x - log(sum(exp(x))) without the max shift: float32 logits around 1000 overflow
#   exp to inf and the loss is inf
# mistake: torch_loss_no_max_shift
# behaviour of: fastai/course-v3, nbs/dl2/03_minibatch_training.ipynb, log_softmax(x) = x - x.exp().sum(-1, keepdim=True).log() and nll(input, target) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    log_probs = logits - logits.exp().sum(-1, keepdim=True).log()
    return -log_probs[range(targets.shape[0]), targets].mean()
