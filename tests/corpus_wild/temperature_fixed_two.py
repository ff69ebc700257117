# expect: buggy: ignores the temperature argument (a fixed T = 2.0) and always normalises along axis 1
# behaviour of: tejasgodambe/knowledge-distillation, softmax_with_temp.py, softmax_with_temp(x) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    # the temperature is always 2 and the axis always 1, whatever the caller says
    fixed_t = 2.0
    centred = logits - np.amax(logits, axis=1, keepdims=True)
    weights = np.exp(centred / fixed_t)
    return weights / np.sum(weights, axis=1, keepdims=True)
