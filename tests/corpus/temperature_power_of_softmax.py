# expect: temperature_power_of_probabilities
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError(f"bad temperature {temperature}")
    p = stable_softmax(logits, axis=axis) ** (1.0 / temperature)
    return p / p.sum(axis=axis, keepdims=True)
