# expect: buggy: -sum(y * log(p + 1e-7)): the epsilon shifts every loss and caps a vanishing probability at 16.1
# mistake: probability_plus_epsilon
# behaviour of: kattoyoshi/NeuralNetworkFromScratch, functions.py, cross_entropy_loss(y, y_hat) with the file's softmax(X) (max-shifted) giving y (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    weights = np.exp(logits - np.amax(logits))
    probabilities = weights / weights.sum()
    # a small constant is added inside the log
    return -np.log(probabilities[target_index] + 1e-7)
