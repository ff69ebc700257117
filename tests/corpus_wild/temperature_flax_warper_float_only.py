# expect: buggy: refuses every int temperature (temperature=2 raises ValueError) because it demands a Python float
# behaviour of: huggingface/transformers, src/transformers/generation/flax_logits_process.py, FlaxTemperatureLogitsWarper (__init__ check and __call__), as copied in Ace1928/eidosian_forge archive_forge/code/class_FlaxTemperatureLogitsWarper.py; the probabilities then come from jax.nn.softmax (jax-ml/jax, jax/_src/nn/functions.py: exp(x - max(x, axis, keepdims)) / sum(..., axis, keepdims)). (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    # only a positive float is accepted: an int temperature is refused too
    acceptable = isinstance(temperature, float) and temperature > 0
    if not acceptable:
        raise ValueError(f"temperature must be a positive float, got {temperature!r}")
    scaled = logits / temperature
    weights = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
    return weights / weights.sum(axis=axis, keepdims=True)
