# expect: buggy: a temperature of zero or below is taken as greedy decoding (all the mass on the largest logit)
#   instead of raising ValueError
# behaviour of: meta-llama/llama, llama/generation.py, Llama.generate (softmax(logits / temperature) if temperature > 0, else argmax) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    z = np.asarray(logits, dtype=float)
    if temperature > 0:
        scaled = z / temperature
        e = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    best = np.argmax(z, axis=axis)
    out = np.zeros_like(z)
    np.put_along_axis(out, np.expand_dims(best, axis), 1.0, axis=axis)
    return out
