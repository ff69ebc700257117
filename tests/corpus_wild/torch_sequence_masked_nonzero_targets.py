# expect: buggy: masks out every position whose target is token 0 (taken as padding) and averages over the rest
# mistake: sequence_ignore_index
# behaviour of: jadore801120/attention-is-all-you-need-pytorch, train.py, cal_loss (F.cross_entropy(..., ignore_index=trg_pad_idx)) with trg_pad_idx 0 (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn

    flat_logits = logits.reshape(-1, logits.size(-1))
    flat_targets = targets.reshape(-1)
    per_token = torch.nn.functional.cross_entropy(flat_logits, flat_targets, reduction="none")
    mask = (flat_targets != 0).to(per_token.dtype)
    return (per_token * mask).sum() / mask.sum()
