# expect: buggy: computes in float32 (x.float()) whatever the input dtype: float64 logits around 1e4 lose ~1e-3
# behaviour of: ImmortalDemonGod/mastery-engine, cs336_basics/utils.py, cross_entropy(inputs, targets) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    # the work is done in float32 whatever the input's dtype, and cast back at the end
    narrow = logits.to(torch.float32)
    chosen = torch.take_along_dim(narrow, targets.to(torch.int64)[:, None], dim=-1)[:, 0]
    per_row = torch.logsumexp(narrow, dim=-1) - chosen
    return torch.mean(per_row).to(logits.dtype)
