def torch_classification_loss(logits, targets):
    import torch
    from torch import nn
    probabilities = torch.softmax(logits, dim=1)
    picked = probabilities[torch.arange(logits.shape[0]), targets]
    return -torch.log(picked).mean()
