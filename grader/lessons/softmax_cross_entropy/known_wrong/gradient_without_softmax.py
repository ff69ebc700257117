def cross_entropy_gradient(logits, target_index):
    one_hot = np.eye(len(logits))[target_index]
    return logits - one_hot
