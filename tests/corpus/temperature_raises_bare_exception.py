# expect: temperature_wrong_exception
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise Exception("temperature must be positive")
    return stable_softmax(logits / temperature, axis=axis)
