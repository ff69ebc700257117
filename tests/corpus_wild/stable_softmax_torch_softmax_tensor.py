# expect: buggy: F.softmax along the right axis in float64 (the right numbers), but the torch tensor itself is
#   returned where the caller expects an np.ndarray
# behaviour of: Ace1928/eidosian_forge, archive_forge/code/func_sample_logits.py, sample_logits (probs = F.softmax(out, dim=-1)) with the axis passed on (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    import torch
    import torch.nn.functional as F

    return F.softmax(torch.from_numpy(np.asarray(logits, dtype=np.float64)), dim=axis)
