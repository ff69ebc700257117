# expect: buggy: a float64 log-sum-exp per row, then the losses are cast to float32 on the way out (7 digits where
#   16 were promised)
# behaviour of: DanielEftekhari/rand-nn, loss_fns.py, cross_entropy_loss (c = max; z = c + log sum exp(logits - c); -sum(y * (logits - z))) with the result stored as float32 (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    c = np.max(z, axis=-1)
    lse = c + np.log(np.sum(np.exp(z - c[:, None]), axis=-1))
    y = np.eye(z.shape[1])[np.asarray(targets)]
    return (-np.sum(y * (z - lse[:, None]), axis=-1)).astype(np.float32)
