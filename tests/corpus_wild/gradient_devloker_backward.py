# expect: correct
# behaviour of: DEVLOKER/neural-network, 2/CrossEntropy.py, CrossEntropy.backward(X, y) with the file's softmax(x) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    row = np.asarray(logits)
    weights = np.exp(row - row.max())
    slope = weights / weights.sum()
    slope[target_index] -= 1
    return slope
