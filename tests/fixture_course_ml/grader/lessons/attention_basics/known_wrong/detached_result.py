def torch_layer_norm(x, eps=1e-5):
    import torch

    values = x.detach().numpy()
    mean = values.mean(axis=-1, keepdims=True)
    variance = ((values - mean) ** 2).mean(axis=-1, keepdims=True)
    return torch.tensor((values - mean) / np.sqrt(variance + eps))
