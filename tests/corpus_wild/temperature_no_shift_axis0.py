# expect: buggy: exponentiates logits / T without a max shift, sums along axis 0 whatever axis says, no ValueError
# behaviour of: pluu2/MLhelper, attention.py, softmaxT(logits, temperature=1) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    # no max shift, and the totals are always taken down axis 0
    powered = np.exp(np.true_divide(logits, temperature))
    return powered / powered.sum(axis=0)
