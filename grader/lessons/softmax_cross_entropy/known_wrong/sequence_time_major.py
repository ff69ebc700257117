def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn
    vocabulary = logits.shape[-1]
    time_major = logits.transpose(0, 1).reshape(-1, vocabulary)
    return nn.CrossEntropyLoss()(time_major, targets.reshape(-1))
