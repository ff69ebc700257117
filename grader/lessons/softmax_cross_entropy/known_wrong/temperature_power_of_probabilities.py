def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    sharpened = stable_softmax(logits, axis=axis) ** (1.0 / temperature)
    return sharpened / np.sum(sharpened, axis=axis, keepdims=True)
