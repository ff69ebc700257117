# expect: buggy: scores only the last position of each sequence (logits[:, -1] against targets[:, -1]), as a
#   classifier of the final token does; the other T - 1 positions are ignored
# mistake: sequence_last_position_only
# behaviour of: AnonKDD1269/ADFN, dfn-grok/utils.py, loss_fn(logits, labels) (3-D logits cut to logits[:, -1]) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    if len(logits.shape) == 3:
        logits = logits[:, -1]
        targets = targets[:, -1]
    wide = logits.to(torch.float64)
    log_probs = wide.log_softmax(dim=-1)
    return -log_probs.gather(dim=-1, index=targets[:, None])[:, 0].mean()
