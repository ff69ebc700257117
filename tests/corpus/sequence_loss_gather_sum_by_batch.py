# expect: sequence_sum_over_batch
def torch_sequence_loss(logits, targets):
    log_probs = logits.log_softmax(dim=-1)
    picked = log_probs.gather(2, targets.unsqueeze(-1))
    return -picked.sum() / logits.size(0)
