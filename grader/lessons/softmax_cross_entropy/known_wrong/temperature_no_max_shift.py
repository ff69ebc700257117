def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    exponentials = np.exp(logits / temperature)
    return exponentials / exponentials.sum(axis=axis, keepdims=True)
