# expect: buggy: one-vs-all binary cross-entropy (BCEWithLogitsLoss on a one-hot target, averaged over N * C
#   entries) instead of the softmax cross-entropy
# mistake: binary_cross_entropy_one_hot
# behaviour of: huggingface/pytorch-image-models, timm/loss/binary_cross_entropy.py, BinaryCrossEntropy(smoothing=0.0).forward (class ids scattered into a one-hot target) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    from torch import nn

    import torch

    one_hot = torch.zeros_like(logits)
    one_hot.scatter_(1, targets.view(-1, 1), 1)
    return torch.nn.BCEWithLogitsLoss()(logits, one_hot)
