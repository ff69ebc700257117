def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn
    probabilities = torch.softmax(logits, dim=-1)
    return nn.CrossEntropyLoss()(probabilities.reshape(-1, logits.shape[-1]), targets.reshape(-1))
