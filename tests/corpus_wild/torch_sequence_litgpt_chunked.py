# expect: correct
# behaviour of: Lightning-AI/litgpt, litgpt/utils.py, chunked_cross_entropy (flattened logits split into chunks, reduction='none', concatenated, summed over the non-ignored count) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch
    import torch.nn.functional as F

    ignore = -100
    flat = logits.reshape(-1, logits.size(-1))
    labels = targets.reshape(-1)
    pieces = [F.cross_entropy(lc, tc, ignore_index=ignore, reduction="none")
              for lc, tc in zip(flat.split(3), labels.split(3))]
    kept = (labels != ignore).sum()
    return torch.cat(pieces).sum() / kept.maximum(torch.ones_like(kept))
