def softmax_with_temperature(logits, temperature, axis=-1):
    assert temperature > 0, "the temperature must be positive"
    z = np.asarray(logits, dtype=float) / temperature
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
