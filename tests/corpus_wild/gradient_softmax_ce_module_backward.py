# expect: correct
# behaviour of: tedpham89/Deep-Learning, project2/part1-convnet/modules/softmax_ce.py, SoftmaxCrossEntropy.forward (the max-shifted probabilities) and .backward (probs.copy(), minus one at the labels, divided by N) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    values = np.asarray(logits)
    probabilities = np.exp(values - values.max())
    probabilities /= probabilities.sum()
    probabilities[target_index] -= 1.0
    return probabilities
