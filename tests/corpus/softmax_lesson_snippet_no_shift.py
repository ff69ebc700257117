# expect: whole_array_normalised
def stable_softmax(logits, axis=-1):
    return np.exp(logits) / np.exp(logits).sum()
