# expect: buggy: clamps the temperature to at least 1e-6 (x / max(temperature, EPSILON)): 0 and negative
#   temperatures give a near one-hot answer instead of a ValueError
# mistake: temperature_clamped
# behaviour of: cleanlab/cleanlab, cleanlab/internal/numerics.py, softmax(x, temperature=1.0, axis=None, shift=False), EPSILON = 1e-6 from cleanlab/internal/constants.py (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    smallest = 1e-6
    # a temperature below the floor is silently raised to it
    divisor = smallest if smallest > temperature else temperature
    scores = logits / divisor
    scores = scores - scores.max(axis=axis, keepdims=True)
    weights = np.exp(scores)
    return weights / weights.sum(axis=axis, keepdims=True)
