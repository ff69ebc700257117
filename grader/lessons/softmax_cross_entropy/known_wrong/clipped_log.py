def cross_entropy_from_logits(logits, target_index):
    exponentials = np.exp(logits - np.max(logits))
    probabilities = exponentials / np.sum(exponentials)
    return float(-np.log(np.clip(probabilities, 1e-12, 1.0))[target_index])
