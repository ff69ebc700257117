def per_position_cross_entropy(logits, targets):
    import torch
    import torch.nn.functional as F
    losses = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(np.asarray(targets)), reduction="none")
    return losses.numpy()
