def torch_sequence_loss(logits, targets):
    from torch import nn
    batch, positions, vocabulary = logits.shape
    return nn.CrossEntropyLoss()(logits.reshape(batch, vocabulary, positions), targets)
