def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn
    vocabulary = logits.shape[-1]
    return nn.functional.cross_entropy(logits.float().view(-1, vocabulary), targets.view(-1))
