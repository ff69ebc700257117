# expect: mutates_input
def stable_softmax(logits, axis=-1):
    logits -= logits.max(axis=axis, keepdims=True)
    np.exp(logits, out=logits)
    return logits / logits.sum(axis=axis, keepdims=True)
