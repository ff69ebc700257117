# expect: buggy: refuses every temperature above 2 (the OpenAI API's documented range 0-2) with ValueError, although
#   any positive temperature is valid here (T = 100 flattens the distribution)
# behaviour of: openai/openai-python, src/openai/resources/chat/completions/completions.py, the documented temperature range (between 0 and 2) enforced in a local softmax (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    if not 0 < temperature <= 2:
        raise ValueError("temperature must be in (0, 2]")
    scaled = np.asarray(logits, dtype=float) / temperature
    e = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
