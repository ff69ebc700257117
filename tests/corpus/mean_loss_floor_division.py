# expect: mean_loss_floor_division
def sequence_mean_loss(logits, targets):
    losses = per_position_cross_entropy(logits, targets)
    return float(losses.sum() // len(losses))
