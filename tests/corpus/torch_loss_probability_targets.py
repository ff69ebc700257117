# expect: correct
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F
    return F.cross_entropy(logits, F.one_hot(targets, logits.size(1)).float())
