# expect: buggy: temperature 0 means greedy (a one-hot on the largest logit) instead of a ValueError, and the
#   caller's logits are divided in place (np.asarray of a float64 array is the array itself, then /=)
# behaviour of: vllm-project/vllm, vllm/model_executor/layers/sampler.py, Sampler (logits.div_(temperatures)) with SamplingParams' greedy temperature 0 (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature < 0:
        raise ValueError(f"temperature must be non-negative, got {temperature}.")
    scores = np.asarray(logits, dtype=np.float64)
    if temperature == 0:
        # greedy sampling: all the mass on the best logit
        best = scores == scores.max(axis=axis, keepdims=True)
        return best / best.sum(axis=axis, keepdims=True)
    scores /= temperature
    scores = scores - scores.max(axis=axis, keepdims=True)
    np.exp(scores, out=scores)
    return scores / scores.sum(axis=axis, keepdims=True)
