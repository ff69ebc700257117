# expect: buggy: the masked loss is averaged over each sequence's time steps only (.mean(dim=1)), so it returns a
#   (B,) tensor of per-sequence losses, not the scalar mean
# mistake: sequence_loss_per_sequence
# behaviour of: jwen307/MLBase, ops/losses.py, MaskedSoftmaxCELoss.forward(pred, label, valid_len) with every position valid (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch
    import torch.nn.functional as F

    valid_len = torch.full((targets.shape[0],), targets.shape[1])
    weights = (torch.arange(targets.shape[1])[None, :] < valid_len[:, None]).to(logits.dtype)
    unweighted = F.cross_entropy(logits.permute(0, 2, 1), targets, reduction="none")
    return (unweighted * weights).mean(dim=1)
