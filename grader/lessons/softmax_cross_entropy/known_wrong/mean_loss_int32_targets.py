def sequence_mean_loss(logits, targets):
    import torch
    import torch.nn.functional as F
    return F.cross_entropy(torch.as_tensor(logits), torch.as_tensor(targets)).item()
