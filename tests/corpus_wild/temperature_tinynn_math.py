# expect: buggy: no ValueError for a temperature <= 0 (0 divides to inf/nan, a negative one reverses the ranking)
# mistake: no_temperature_check
# behaviour of: borgwang/tinynn, tinynn/utils/math.py, softmax(x, t=1.0, axis=-1) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    # any temperature is used as given (no check for zero or negative values)
    tempered = logits / temperature
    powered = np.exp(tempered - np.max(tempered, axis, keepdims=True))
    return powered / np.sum(powered, axis, keepdims=True)
