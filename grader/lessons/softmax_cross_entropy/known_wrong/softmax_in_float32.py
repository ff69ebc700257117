def stable_softmax(logits, axis=-1):
    import torch
    return torch.softmax(torch.tensor(logits).float(), dim=axis).numpy()
