# expect: buggy: returns the 0-d torch tensor F.cross_entropy gives (the right value, but a tensor where the
#   caller was promised a Python float)
# behaviour of: jinseo-ok/tobigs_assignment, week9/tobigs_week9_assignment-master/model/loss.py, cross_entropy_loss(output, target) = F.cross_entropy on the example as a batch of one (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    import torch
    import torch.nn.functional as F

    batch = torch.from_numpy(np.asarray(logits, dtype=np.float64)).unsqueeze(0)
    label = torch.tensor([int(target_index)])
    return F.cross_entropy(batch, label)
