def cross_entropy_from_logits(logits, target_index):
    exponentials = np.exp(logits - np.max(logits))
    probabilities = exponentials / np.sum(exponentials)
    return float(-np.log(probabilities[target_index]))
