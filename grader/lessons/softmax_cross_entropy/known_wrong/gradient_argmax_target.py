def cross_entropy_gradient(logits, target_index):
    p = stable_softmax(logits)
    y = np.zeros_like(p)
    y[np.argmax(logits)] = 1.0
    return p - y
