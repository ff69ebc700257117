# expect: correct
def sequence_mean_loss(logits, targets):
    losses = per_position_cross_entropy(logits, targets)
    return float(sum(losses) / len(losses))
