def torch_sequence_loss(logits, targets):
    import torch
    log_probs = torch.log_softmax(logits, dim=-1)
    positions = logits.shape[1]
    return -log_probs[..., torch.arange(positions), targets].mean()
