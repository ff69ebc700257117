# expect: correct
# behaviour of: huggingface/transformers, src/transformers/generation/utils.py, beam search: TemperatureLogitsWarper applied to log_softmax scores (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    if not temperature > 0:
        raise ValueError(f"`temperature` has to be a strictly positive float, but is {temperature}")
    z = np.asarray(logits, dtype=float)
    # the scores are log-probabilities first; the warper divides those, and a softmax follows
    top = z.max(axis=axis, keepdims=True)
    log_probs = z - top - np.log(np.exp(z - top).sum(axis=axis, keepdims=True))
    scores = log_probs / temperature
    peak = scores.max(axis=axis, keepdims=True)
    w = np.exp(scores - peak)
    return w / w.sum(axis=axis, keepdims=True)
