# expect: correct
# behaviour of: havu73/spring2024-assignment1-basics, functionals/loss.py, cross_entropy(outputs, targets) = cross_entropy_ind_points(outputs, targets).mean() (the target logit read through a meshgrid of the batch indices) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    outputs = logits - logits.max(dim=-1, keepdim=True).values
    log_sum_exp = outputs.exp().sum(dim=-1).log()
    grid = torch.meshgrid(*[torch.arange(size) for size in targets.shape], indexing="ij")
    picked = outputs[(*grid, targets)]
    return (log_sum_exp - picked).mean()
