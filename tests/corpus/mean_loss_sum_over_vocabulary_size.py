# expect: mean_loss_averaged_over_vocabulary
def sequence_mean_loss(logits, targets):
    losses = per_position_cross_entropy(logits, targets)
    return float(losses.sum() / logits.shape[1])
