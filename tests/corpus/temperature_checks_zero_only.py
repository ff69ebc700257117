# expect: no_temperature_check
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature == 0:
        raise ValueError("temperature cannot be zero")
    return stable_softmax(logits / temperature, axis=axis)
