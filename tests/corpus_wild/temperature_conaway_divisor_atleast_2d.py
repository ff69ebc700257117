# expect: buggy: no ValueError for a temperature <= 0 (0 divides by zero), and np.atleast_2d makes 1-D logits a
#   (1, K) row, so axis=0 on 1-D input gives all ones
# mistake: no_temperature_check
# behaviour of: Hazoom/autodesc, src/scores/scoreutils.py, the nolanbconaway softmax shape with a temperature divisor ("Temp near 0 approaches argmax") (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    y = np.atleast_2d(np.asarray(logits, dtype=float))
    y = y / float(temperature)
    y = y - np.expand_dims(np.max(y, axis=axis), axis)
    y = np.exp(y)
    p = y / np.expand_dims(np.sum(y, axis=axis), axis)
    if len(np.shape(logits)) == 1:
        p = p.flatten()
    return p
