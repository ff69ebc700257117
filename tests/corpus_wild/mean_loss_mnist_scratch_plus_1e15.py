# expect: buggy: -log(p + 1e-15) at every position: a vanishing probability caps a position's loss at 34.5
# mistake: mean_loss_clipped
# behaviour of: parag-ingalkar/python_NN_MNIST_from_scratch, neural_network/loss/cross_entropy.py, SoftmaxCrossEntropy.forward(logits, labels) with labels the one-hot of targets (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    labels = np.eye(logits.shape[1])[targets]
    exps = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probs = exps / np.sum(exps, axis=1, keepdims=True)
    return -np.mean(np.sum(labels * np.log(probs + 1e-15), axis=1))
