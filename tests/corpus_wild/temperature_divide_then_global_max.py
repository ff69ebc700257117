# expect: buggy: max and sum over the whole array (axis ignored) and no ValueError for a temperature <= 0
# behaviour of: cpsource/coursera, course11/README-softmax-with-temperature.md, softmax_with_temperature(logits, T) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    # divides first, then one maximum and one total for the whole array
    scaled = np.true_divide(logits, temperature)
    weights = np.exp(scaled - scaled.max())
    return weights / np.sum(weights)
