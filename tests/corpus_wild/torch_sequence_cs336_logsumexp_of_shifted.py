# expect: correct
# behaviour of: tiebreaker4869/lm-from-scratch, assignment1-basics/cs336_basics/training_utils.py, cross_entropy(logits, targets) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    shifted = logits - torch.max(logits, dim=-1, keepdim=True).values  # a new tensor: the caller's is left alone
    log_sum_exp = torch.logsumexp(shifted, dim=-1, keepdim=True)
    picked = torch.gather(shifted, dim=-1, index=targets.unsqueeze(-1)).squeeze(-1)
    return torch.mean(-picked + log_sum_exp.squeeze(-1))
