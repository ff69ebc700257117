# expect: correct
def cross_entropy_from_logits(logits, target_index):
    z = np.asarray(logits, dtype=float)
    return float(np.logaddexp.reduce(z) - z[target_index])
