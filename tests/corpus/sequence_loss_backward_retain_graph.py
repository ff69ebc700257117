# expect: sequence_backward_inside
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    loss.backward(retain_graph=True)
    return loss
