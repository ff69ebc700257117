def torch_attention(q, k, v, mask):
    import torch

    scores = q.detach() @ k.detach().transpose(-1, -2) / q.shape[-1] ** 0.5
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return weights @ v
