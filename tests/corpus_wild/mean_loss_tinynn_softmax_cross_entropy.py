# expect: correct
# behaviour of: borgwang/tinynn, tinynn/core/loss.py, SoftmaxCrossEntropy(T=1.0).loss(logits, labels) with tinynn/utils/math.py log_softmax (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    scaled = logits / 1.0
    peak = scaled.max(axis=1, keepdims=True)
    log_total = np.log(np.exp(scaled - peak).sum(axis=1, keepdims=True))
    log_probs = scaled - peak - log_total
    losses = -log_probs[np.arange(scaled.shape[0]), targets]
    return losses.sum() / scaled.shape[0]
