# expect: mean_loss_int32_targets
def sequence_mean_loss(logits, targets):
    import torch
    import torch.nn.functional as F
    loss = F.cross_entropy(torch.as_tensor(np.asarray(logits, dtype=np.float64)), torch.as_tensor(np.asarray(targets)))
    return loss.item()
