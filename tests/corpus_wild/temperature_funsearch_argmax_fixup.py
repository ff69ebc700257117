# expect: buggy: written for 1-D logits: on a batch the flat argmax indexes rows (a whole row is overwritten, or
#   IndexError), the softmax always runs along the last axis, and no ValueError for a temperature <= 0
# behaviour of: sqrta/QECC_Synth, our_funsearch/sample.py, _softmax(logits, temperature) (FunSearch's sampler: scipy.special.softmax(logits / temperature, axis=-1), then the argmax entry set to 1 minus the others so that the probabilities sum to 1); glue: scipy's softmax written out (the max taken off) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    if not np.issubdtype(logits.dtype, np.floating):
        logits = np.array(logits, dtype=np.float32)
    scaled = logits / temperature
    e = np.exp(scaled - np.max(scaled, axis=-1, keepdims=True))
    result = e / np.sum(e, axis=-1, keepdims=True)
    # the probabilities must sum to exactly 1 for np.random.choice
    index = np.argmax(result)
    result[index] = 1 - np.sum(result[0:index]) - np.sum(result[index + 1:])
    return result
