# expect: buggy: nn.CrossEntropyLoss(size_average=False), the old spelling of reduction='sum': the loss is summed over
#   the batch
# mistake: reduction_sum
# behaviour of: QData/TextAttack, textattack/constraints/grammaticality/language_models/learning_to_write/adaptive_softmax.py, AdaptiveLoss (nn.CrossEntropyLoss(size_average=False)) without its final division (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch
    from torch import nn

    criterion = nn.CrossEntropyLoss(size_average=False)
    return criterion(logits, targets)
