# expect: buggy: only a temperature of exactly 0 is refused; a negative temperature divides through and reverses the
#   ranking (the least likely class gets the most mass)
# mistake: no_temperature_check
# behaviour of: HaoyangHan/prep_2025, LLM_base_knowledge/2_LLM_Model_Architecture/2_10_decoding_strategy.md, the temperature-scaling exercise (if temperature == 0: raise, then softmax(logits / temperature)) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature == 0:
        raise ValueError("temperature must not be zero")
    scaled = np.asarray(logits, dtype=float) / temperature
    e = np.exp(scaled - scaled.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)
