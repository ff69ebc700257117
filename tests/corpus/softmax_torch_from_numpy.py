# expect: correct
def stable_softmax(logits, axis=-1):
    import torch
    return torch.from_numpy(np.asarray(logits, dtype=np.float64)).softmax(dim=axis).numpy()
