# expect: temperature_no_max_shift
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError(temperature)
    e = np.moveaxis(np.exp(np.asarray(logits, dtype=float) / temperature), axis, -1)
    return np.moveaxis(e / np.einsum("...i->...", e)[..., None], -1, axis)
