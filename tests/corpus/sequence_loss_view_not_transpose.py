# expect: sequence_reshaped_not_transposed
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F
    B, T, V = logits.shape
    return F.cross_entropy(logits.view(B, V, T), targets)
