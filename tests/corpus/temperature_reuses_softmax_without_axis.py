# expect: temperature_ignores_axis
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    return stable_softmax(np.asarray(logits, dtype=float) / temperature)
