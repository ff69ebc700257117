# expect: buggy: refuses every int temperature (temperature=2 raises ValueError) because it demands a Python float
# behaviour of: huggingface/transformers, src/transformers/generation/logits_process.py, TemperatureLogitsWarper (__init__ check, __call__ divides the scores); generation then samples from nn.functional.softmax(scores, dim=-1). (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    import torch

    # only a positive float is accepted: an int temperature is refused too
    if isinstance(temperature, float) and temperature > 0:
        tensor = torch.as_tensor(np.asarray(logits))
        return torch.softmax(tensor / temperature, axis).numpy()
    hint = " (zero: use greedy decoding instead)" if isinstance(temperature, float) and temperature == 0.0 else ""
    raise ValueError(f"temperature {temperature!r} is not a strictly positive float{hint}")
