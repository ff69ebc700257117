# expect: correct
# behaviour of: ctgk/PRML, prml/nn/loss/softmax_cross_entropy.py, SoftmaxCrossEntropy._forward(x, t) with scipy.special.logsumexp = -t * (x - logsumexp(x, axis=-1, keepdims=True)), summed over the classes, t the one-hot of target_index (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    def logsumexp(x, axis, keepdims):  # scipy.special.logsumexp: the max taken out before exp
        top = np.max(x, axis=axis, keepdims=True)
        return top + np.log(np.sum(np.exp(x - top), axis=axis, keepdims=keepdims))

    log_softmax = logits - logsumexp(logits, axis=-1, keepdims=True)
    t = np.zeros_like(log_softmax)
    t[target_index] = 1.0
    return np.sum(-t * log_softmax)
