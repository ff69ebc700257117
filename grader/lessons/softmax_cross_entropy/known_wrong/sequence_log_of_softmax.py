def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn
    batch, positions, vocabulary = logits.shape
    probabilities = torch.softmax(logits.reshape(-1, vocabulary), dim=-1)
    one_hot = nn.functional.one_hot(targets.reshape(-1), vocabulary).float()
    return -(one_hot * torch.log(probabilities)).sum(dim=-1).mean()
