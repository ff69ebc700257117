# expect: correct
# behaviour of: barkinadiguzel/FilterPruning-Replication, src/loss/classification_loss.py, ClassificationLoss().forward(outputs, targets) (an nn.CrossEntropyLoss()) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    from torch import nn

    return nn.CrossEntropyLoss()(logits, targets)
