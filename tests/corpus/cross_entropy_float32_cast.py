# expect: loss_in_float32
def cross_entropy_from_logits(logits, target_index):
    z = logits.astype(np.float32)
    m = z.max()
    return float(m + np.log(np.sum(np.exp(z - m))) - z[target_index])
