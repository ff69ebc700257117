# expect: sequence_targets_not_flattened
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets)
