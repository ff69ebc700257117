# expect: correct
# behaviour of: QData/TextAttack, textattack/constraints/grammaticality/language_models/learning_to_write/adaptive_softmax.py, AdaptiveLoss.forward (a summed nn.CrossEntropyLoss divided by n) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch
    from torch import nn

    criterion = nn.CrossEntropyLoss(size_average=False)
    n = logits.size(0)
    loss = 0
    loss += criterion(logits, targets)
    loss /= n
    return loss
