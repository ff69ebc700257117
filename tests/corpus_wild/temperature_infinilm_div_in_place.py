# expect: buggy: divides the caller's logits by the temperature in place (np.asarray keeps a float64 array as it is,
#   then /=): the caller's array comes back changed
# mistake: temperature_mutates_input
# behaviour of: InfiniTensor/InfiniLM, python/icinfer/layers/sampler.py, Sampler.forward (logits.div_(temperatures)) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    scaled = np.asarray(logits, dtype=np.float64)
    scaled /= temperature  # in place, on the array the caller passed
    shifted = scaled - scaled.max(axis=axis, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=axis, keepdims=True)
