# expect: buggy: no check of the temperature: 0 gives nan (inf - inf) and a negative temperature reverses the
#   ranking, where a ValueError is due
# mistake: no_temperature_check
# behaviour of: openai/gpt-2, src/sample.py, sample_sequence (logits / tf.to_float(temperature), then softmax) in NumPy (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    scaled = np.asarray(logits, dtype=float) / float(temperature)
    e = np.exp(scaled - np.max(scaled, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)
