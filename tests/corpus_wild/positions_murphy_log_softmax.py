# expect: correct
# behaviour of: gregclinton/murphy, softmax.py, works(x) + log_softmax(x) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    table = np.array(logits, dtype=float)
    centred = table - table.max(axis=1, keepdims=True)
    log_probs = centred - np.log(np.exp(centred).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(table)), targets]
