# expect: sequence_nll_loss_on_logits
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F
    V = logits.shape[-1]
    return F.nll_loss(logits.reshape(-1, V), targets.reshape(-1))
