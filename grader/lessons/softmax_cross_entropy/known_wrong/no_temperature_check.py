def softmax_with_temperature(logits, temperature, axis=-1):
    scaled = np.asarray(logits, dtype=float) / temperature
    exponentials = np.exp(scaled - np.max(scaled, axis=axis, keepdims=True))
    return exponentials / np.sum(exponentials, axis=axis, keepdims=True)
