def cross_entropy_gradient(logits, target_index):
    exponentials = np.exp(logits - np.max(logits))
    probabilities = exponentials / np.sum(exponentials)
    one_hot = np.eye(len(logits))[target_index]
    return one_hot - probabilities
