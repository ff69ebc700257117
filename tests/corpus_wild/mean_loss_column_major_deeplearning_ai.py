# expect: buggy: written for the column-major layout (classes on axis 0, examples on axis 1): the softmax runs down
#   each column and the sum is divided by shape[1], the vocabulary size
# behaviour of: Kulbear/deep-learning-coursera, Improving Deep Neural Networks/Tensorflow Tutorial.ipynb, softmax + compute_cost with m = Y.shape[1] (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    z = np.asarray(logits, dtype=float)
    m = z.shape[1]
    top = z.max(axis=0, keepdims=True)
    log_probs = z - top - np.log(np.exp(z - top).sum(axis=0, keepdims=True))
    picked = log_probs[np.arange(z.shape[0]), targets]
    return float(-np.sum(picked) / m)
