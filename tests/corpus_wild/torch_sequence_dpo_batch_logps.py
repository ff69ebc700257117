# expect: buggy: the labels are shifted by one (logits[:, :-1] scored against labels[:, 1:]) as for a causal model,
#   so position t is scored against the next position's target and the last target is never used
# mistake: sequence_shifted_targets
# behaviour of: eric-mitchell/direct-preference-optimization, trainers.py, _get_batch_logps(logits, labels, average_log_prob=True), negated and averaged over the batch (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    labels = targets[:, 1:].clone()
    shifted = logits[:, :-1, :]
    loss_mask = labels != -100
    labels[labels == -100] = 0
    per_token = torch.gather(shifted.log_softmax(-1), dim=2, index=labels.unsqueeze(2)).squeeze(2)
    average = (per_token * loss_mask).sum(-1) / loss_mask.sum(-1)
    return -average.mean()
