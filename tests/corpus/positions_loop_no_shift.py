# expect: positions_no_max_shift
def per_position_cross_entropy(logits, targets):
    losses = np.zeros(len(targets))
    for t, (row, target) in enumerate(zip(logits, targets)):
        losses[t] = np.log(np.exp(row).sum()) - row[target]
    return losses
