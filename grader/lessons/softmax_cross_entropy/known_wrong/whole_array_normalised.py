def stable_softmax(logits, axis=-1):
    shifted = logits - np.max(logits)
    exp_shifted = np.exp(shifted)
    return exp_shifted / exp_shifted.sum()
