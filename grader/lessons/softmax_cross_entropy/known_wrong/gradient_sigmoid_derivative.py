def cross_entropy_gradient(logits, target_index):
    p = stable_softmax(logits)
    return p * (1 - p)
