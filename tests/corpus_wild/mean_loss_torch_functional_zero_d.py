# expect: buggy: F.cross_entropy in float64 gives the right mean, but the 0-d torch tensor is returned instead of
#   a Python float
# behaviour of: eth-easl/fmengine, fmengine/optimizers/loss_func.py, loss_fn (F.cross_entropy(logits.view(-1, V), labels.view(-1))) on tensors made from the arrays (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    import torch
    import torch.nn.functional as F

    z = torch.from_numpy(np.asarray(logits, dtype=np.float64))
    t = torch.from_numpy(np.asarray(targets)).long()
    return F.cross_entropy(z.view(-1, z.shape[-1]), t.view(-1))
