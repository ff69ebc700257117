# expect: correct
# behaviour of: alan-turing-institute/arc-selective-forgetting, src/arcsf/eval/utils.py, CrossEntropyLoss(reduction="none") per position (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    import torch
    import torch.nn.functional as F

    scores = torch.from_numpy(np.asarray(logits, dtype=np.float64))
    labels = torch.as_tensor(np.asarray(targets)).long()
    return F.cross_entropy(scores, labels, reduction="none").numpy()
