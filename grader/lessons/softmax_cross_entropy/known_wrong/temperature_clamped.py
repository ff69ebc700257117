def softmax_with_temperature(logits, temperature, axis=-1):
    temperature = max(temperature, 1e-8)
    scaled = np.asarray(logits, dtype=float) / temperature
    exponentials = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
    return exponentials / exponentials.sum(axis=axis, keepdims=True)
