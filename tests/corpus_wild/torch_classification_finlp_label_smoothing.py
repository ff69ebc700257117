# expect: buggy: label_smoothing=0.1: 0.9 * nll + 0.1 * mean(-log p) is not the cross-entropy asked for
# mistake: torch_label_smoothing
# behaviour of: fubiye/finlp, finlp/loss/util.py, cross_entropy(logits, targets, tag2id), the version that passes label_smoothing=0.1 (its 2-D branch, logits[mask]); glue: a tag2id whose '<pad>' id (-100) no target uses (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F

    pad = -100
    mask = targets != pad
    kept = targets[mask]
    rows = logits[mask]
    assert rows.size(0) == kept.size(0)
    return F.cross_entropy(rows, kept, label_smoothing=0.1)
