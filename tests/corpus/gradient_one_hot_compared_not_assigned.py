# expect: gradient_missing_one_hot
def cross_entropy_gradient(logits, target_index):
    p = stable_softmax(logits)
    y = np.zeros_like(p)
    y[target_index] == 1
    return p - y
