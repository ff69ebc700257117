# expect: buggy: one max over the whole array and a sum along axis 0 whatever axis says
# behaviour of: orris27/deeplearning-simple-implementation, utils.py, softmax(x) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    # one maximum for the whole array, then totals taken down axis 0
    scaled = np.exp(np.subtract(logits, np.amax(logits)))
    column_totals = np.add.reduce(scaled, axis=0)
    return np.divide(scaled, column_totals)
