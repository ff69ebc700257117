def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn
    vocabulary = logits.shape[-1]
    probabilities = torch.softmax(logits.reshape(-1, vocabulary), dim=-1)
    picked = probabilities.gather(1, targets.reshape(-1, 1)).squeeze(1)
    return -torch.log(picked + 1e-8).mean()
