def cross_entropy_gradient(logits, target_index):
    p = stable_softmax(logits)
    p[target_index] -= 1.0
    return p / len(logits)
