def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    scaled = logits // temperature
    e = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
