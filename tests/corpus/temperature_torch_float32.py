# expect: temperature_in_float32
def softmax_with_temperature(logits, temperature, axis=-1):
    import torch
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    return torch.softmax(torch.tensor(logits, dtype=torch.float32) / temperature, dim=axis).numpy()
