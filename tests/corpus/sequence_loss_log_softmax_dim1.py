# expect: sequence_log_softmax_over_positions
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F
    log_probs = F.log_softmax(logits, dim=1)
    return F.nll_loss(log_probs.reshape(-1, logits.shape[-1]), targets.reshape(-1))
