# expect: correct
# behaviour of: bethgelab/foolbox, foolbox/utils.py, crossentropy(*, label, logits); glue: called positionally (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    assert logits.ndim == 1
    # shift by the max so that exp stays in range: the loss is log(sum(exp)) minus the label's logit
    shifted = logits - np.max(logits)
    total = np.sum(np.exp(shifted))
    return np.log(total) - shifted[target_index]
