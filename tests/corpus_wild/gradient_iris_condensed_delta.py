# expect: correct
# behaviour of: waynemystir/simple-neural-nets, sigmoid_softmax_iris_condensed.py (a2: max-shifted softmax per row, l2_delta = (a2 - y_onehot) / X.shape[0]) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    row = np.array(logits, dtype=float)
    probabilities = np.exp(row - np.amax(row))
    probabilities = probabilities / np.sum(probabilities)
    indicator = (np.arange(row.size) == target_index).astype(int)
    return probabilities - indicator
