# expect: temperature_clamped
def softmax_with_temperature(logits, temperature, axis=-1):
    import torch
    t = torch.as_tensor(np.asarray(logits, dtype=np.float64))
    return torch.softmax(t / max(temperature, 1e-6), dim=axis).numpy()
