def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = logits.astype(np.float32) / temperature
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
