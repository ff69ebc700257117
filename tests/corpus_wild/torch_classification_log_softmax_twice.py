# expect: correct
# behaviour of: pytorch/examples, mnist/main.py, Net.forward (ends in F.log_softmax(x, dim=1)) trained with nn.CrossEntropyLoss instead of F.nll_loss; log_softmax of log-probabilities is the identity, so the loss and its gradient are unchanged (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F
    from torch import nn

    return nn.CrossEntropyLoss()(F.log_softmax(logits, dim=1), targets)
