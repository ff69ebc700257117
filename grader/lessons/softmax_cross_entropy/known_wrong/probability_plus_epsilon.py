def cross_entropy_from_logits(logits, target_index):
    shifted = logits - logits.max()
    probabilities = np.exp(shifted) / np.exp(shifted).sum()
    return float(-np.log(probabilities[target_index] + 1e-7))
