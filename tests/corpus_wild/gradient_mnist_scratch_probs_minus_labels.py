# expect: correct
# behaviour of: parag-ingalkar/python_NN_MNIST_from_scratch, neural_network/loss/cross_entropy.py, SoftmaxCrossEntropy.forward (max-shifted probabilities along axis 1) then .backward() = probs - labels, on one example as a (1, C) batch with a one-hot label (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    z = logits.reshape(1, -1)
    exps = np.exp(z - np.max(z, axis=1, keepdims=True))
    probs = exps / np.sum(exps, axis=1, keepdims=True)
    labels = np.zeros_like(probs)
    labels[0, target_index] = 1.0
    return (probs - labels).reshape(-1)
