# expect: backward_inside
def torch_classification_loss(logits, targets):
    from torch import nn
    loss = nn.CrossEntropyLoss()(logits, targets)
    loss.backward()
    return loss
