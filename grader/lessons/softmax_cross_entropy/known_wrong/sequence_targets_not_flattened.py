def torch_sequence_loss(logits, targets):
    from torch import nn
    return nn.CrossEntropyLoss()(logits.view(-1, logits.size(-1)), targets)
