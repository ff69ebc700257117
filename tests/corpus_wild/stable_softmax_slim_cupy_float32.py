# expect: buggy: a 2-D batch is transposed and exponentiated in float32 (exp with dtype=float32) with the classes always
#   on the last axis, whatever `axis` says; any other shape (1-D, 3-D) takes one max and one sum over the whole
#   array
# behaviour of: tom01h/deep-learning-slim, common/functions.py, softmax(x), numpy in place of cupy (the file's own commented-out `import numpy as cp`) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    if logits.ndim == 2:
        columns = logits.T
        columns = columns - np.max(columns, axis=0)
        weights = np.exp(columns, dtype=np.float32)
        return (weights / np.sum(weights, axis=0, dtype=np.float32)).T
    # every other shape: one max and one sum for the whole array
    shifted = logits - np.max(logits)
    return np.exp(shifted) / np.sum(np.exp(shifted))
