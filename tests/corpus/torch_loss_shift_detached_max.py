# expect: correct
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F
    shifted = logits - logits.max(dim=1, keepdim=True).values.detach()
    return F.cross_entropy(shifted, targets)
