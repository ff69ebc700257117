def torch_sequence_loss(logits, targets):
    import torch
    log_probs = torch.log_softmax(logits, dim=-1)
    one_hot = torch.nn.functional.one_hot(targets, logits.shape[-1]).to(log_probs.dtype)
    return -(one_hot * log_probs).mean()
