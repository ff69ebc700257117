# expect: correct
# behaviour of: pierresegonne/VINF, code/studies/mean_field_gaussian_mixture/prml/nn/nonlinear/log_softmax.py, LogSoftmax._forward(x) = x - logsumexp(x, axis=-1, keepdims=True) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    table = np.asarray(logits)
    losses = np.empty(len(table))
    for i, (row, target) in enumerate(zip(table, targets)):
        log_prob = row[target] - np.logaddexp.reduce(row)
        losses[i] = -log_prob
    return losses
