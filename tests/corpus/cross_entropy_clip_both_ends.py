# expect: clipped_log
def cross_entropy_from_logits(logits, target_index):
    z = logits - logits.max()
    probs = np.exp(z) / np.exp(z).sum()
    probs = np.clip(probs, 1e-15, 1 - 1e-15)
    return float(-np.log(probs[target_index]))
