# expect: buggy: log_softmax[..., range(T), targets] keeps the batch axis and pairs every sequence with every
#   other sequence's targets (a B x B x T table): right only when B == 1
# behaviour of: carlgieringer/stanford-cs336-lmfs-assignment1-basics, cs336_basics/cross_entropy.py, cross_entropy(logits, targets) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    peak = torch.max(logits, dim=-1, keepdim=True).values
    centred = logits - peak
    log_probs = centred - torch.log(torch.sum(torch.exp(centred), dim=-1, keepdim=True))
    # the batch axis is kept whole while (positions, targets) index the rest: every sequence is
    # paired with every sequence's targets, a (B, B, T) table
    steps = torch.arange(logits.shape[-2])
    table = log_probs[:, steps, targets]
    return torch.mean(table).neg()
