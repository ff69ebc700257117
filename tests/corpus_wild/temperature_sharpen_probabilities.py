# expect: buggy: takes the softmax at T = 1 first and raises it to the power 1 / T: a probability that underflows
#   at T = 1 (a logit 800 below the max) stays 0 at T = 100, where the truth is exp(-8)
# mistake: temperature_power_of_probabilities
# behaviour of: FelixAbrahamsson/mixmatch-pytorch, mixmatch_pytorch/sharpen.py, sharpen(probabilities, T) applied to a stable softmax (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    # MixMatch-style sharpening: raise the T = 1 probabilities to the power 1 / T and renormalise,
    # which is softmax(logits / T) written through the probabilities
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    p = e / e.sum(axis=axis, keepdims=True)
    tempered = np.power(p, 1.0 / temperature)
    return tempered / tempered.sum(axis=axis, keepdims=True)
