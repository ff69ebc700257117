# expect: buggy: one max and one sum over the whole array: a 2-D batch is normalised as a single distribution
# mistake: whole_array_normalised
# behaviour of: ayushjain1144/NER, loss.py, softmax(X) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    # the whole array is treated as a single distribution
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()
