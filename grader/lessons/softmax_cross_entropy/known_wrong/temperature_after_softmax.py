def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    shifted = logits - logits.max(axis=axis, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
    return probabilities / temperature
