# expect: buggy: one max and one sum over the whole array (axis ignored) and no ValueError for a temperature <= 0
# behaviour of: alberto467/CI2025_project, src/utils.py, softmax(x, temp=1.0) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    # one maximum over the whole array, subtracted before dividing; one total for the whole array
    offset = np.amax(logits)
    weights = np.exp(np.subtract(logits, offset) / temperature)
    return weights / weights.sum()
