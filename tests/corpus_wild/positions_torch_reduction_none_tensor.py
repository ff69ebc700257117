# expect: buggy: F.cross_entropy(reduction='none') in float64 gives the right losses, but the torch tensor is
#   returned instead of a NumPy array
# behaviour of: DanielEftekhari/rand-nn, loss_fns.py, cross_entropy_loss (per-example losses as a tensor) with integer targets through F.cross_entropy (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    import torch
    import torch.nn.functional as F

    z = torch.from_numpy(np.asarray(logits, dtype=np.float64))
    t = torch.from_numpy(np.asarray(targets)).long()
    return F.cross_entropy(z, t, reduction="none")
