# expect: correct
# behaviour of: borgwang/tinynn, tinynn/core/loss.py, SoftmaxCrossEntropy(T=1.0).grad(logits, labels) with tinynn/utils/math.py softmax (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    scaled = np.asarray(logits) / 1.0
    weights = np.exp(scaled - scaled.max())
    answer = np.zeros(scaled.shape)
    answer[target_index] = 1.0
    return weights / weights.sum() - answer
