# expect: correct
def cross_entropy_gradient(logits, target_index):
    logits = logits[None, :]
    n = logits.shape[0]
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    dlogits = probs.copy()
    dlogits[range(n), [target_index]] -= 1
    dlogits /= n
    return dlogits[0]
