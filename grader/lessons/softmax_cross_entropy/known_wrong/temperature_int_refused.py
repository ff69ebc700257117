def softmax_with_temperature(logits, temperature, axis=-1):
    if not isinstance(temperature, float) or temperature <= 0:
        raise ValueError(f"temperature has to be a strictly positive float, but is {temperature}")
    return stable_softmax(logits / temperature, axis=axis)
