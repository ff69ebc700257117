# expect: correct
def softmax_with_temperature(logits, temperature, axis=-1):
    import torch
    if not temperature > 0:
        raise ValueError("temperature must be > 0")
    scaled = torch.as_tensor(np.asarray(logits, dtype=np.float64)) / temperature
    return torch.softmax(scaled, dim=axis).numpy()
