# expect: correct
# behaviour of: borgwang/tinynn, tinynn/utils/math.py, log_softmax(x, t=1.0, axis=-1) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    scaled = logits / 1.0
    peak = np.amax(scaled, axis=-1, keepdims=True)
    log_total = np.log(np.exp(scaled - peak).sum(axis=-1, keepdims=True))
    log_probs = (scaled - peak) - log_total
    return -log_probs[np.arange(len(targets)), targets]
