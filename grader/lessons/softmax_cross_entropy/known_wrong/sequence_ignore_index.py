def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn
    vocabulary = logits.shape[-1]
    loss = nn.CrossEntropyLoss(ignore_index=0)
    return loss(logits.reshape(-1, vocabulary), targets.reshape(-1))
