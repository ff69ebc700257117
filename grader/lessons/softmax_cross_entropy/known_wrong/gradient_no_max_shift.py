def cross_entropy_gradient(logits, target_index):
    exponentials = np.exp(logits)
    gradient = exponentials / exponentials.sum()
    gradient[target_index] -= 1
    return gradient
