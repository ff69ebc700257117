# expect: buggy: -log(F.softmax + 1e-10): a float32 probability that underflows gives 23.0 instead of the true loss (and
#   every small loss is shifted)
# mistake: torch_loss_clipped
# behaviour of: nutszebra/deepcluster, models/cross_entropy.py, softmax_cross_entropy(y, t, average=True, reduce=True) = SoftmaxCrossEntropy(eps=1e-10): (-t * log(softmax(y, 1) + eps)).sum() / batch; glue: t is the one-hot of targets (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch
    import torch.nn.functional as F

    batch, num_class = logits.shape
    t = F.one_hot(targets, num_class).to(logits.dtype)
    loss = -t * torch.log(F.softmax(logits, 1) + 1.0e-10)
    return loss.sum() / batch
