# expect: buggy: asserts that the logits are 1-D, so every batch (2-D, 3-D) raises AssertionError; `axis` is never read
# mistake: one_example_only
# behaviour of: bethgelab/foolbox, foolbox/utils.py, softmax(logits); glue: an `axis` argument accepted and ignored (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    assert logits.ndim == 1
    # the max is taken off for numerical reasons, in a new array
    logits = logits - np.max(logits)
    e = np.exp(logits)
    return e / np.sum(e)
