def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    scaled = logits / temperature
    shifted = scaled - np.max(scaled)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum()
