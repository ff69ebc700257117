# expect: sum_not_mean
def sequence_mean_loss(logits, targets):
    total = 0.0
    for row, target in zip(logits, targets):
        m = row.max()
        total += m + np.log(np.exp(row - m).sum()) - row[target]
    return float(total)
