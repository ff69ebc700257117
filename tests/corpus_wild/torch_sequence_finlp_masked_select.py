# expect: correct
# behaviour of: fubiye/finlp, finlp/loss/util.py, cross_entropy(logits, targets, tag2id), the version without label smoothing (its 3-D branch: masked_select of the kept positions, then F.cross_entropy); glue: a tag2id whose '<pad>' id (-100) no target uses (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F

    pad = -100
    mask = targets != pad
    kept = targets[mask]
    size = logits.size(2)
    rows = logits.masked_select(mask.unsqueeze(2).expand(-1, -1, size)).contiguous().view(-1, size)
    assert rows.size(0) == kept.size(0)
    return F.cross_entropy(rows, kept)
