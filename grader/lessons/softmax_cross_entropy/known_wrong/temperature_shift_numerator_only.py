def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    scaled = logits / temperature
    m = np.max(scaled, axis=axis, keepdims=True)
    return np.exp(scaled - m) / np.sum(np.exp(scaled), axis=axis, keepdims=True)
