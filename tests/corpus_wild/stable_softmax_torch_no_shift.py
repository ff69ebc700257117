# expect: buggy: torch.exp of the raw logits (overflows to nan near 1000) and always dim=1
# behaviour of: ChaosAIVision/VGG16-from-scratch-Pytorch, utils/activations.py, softmax(x) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    import torch

    # no shift by the maximum, and always dimension 1
    tensor = torch.as_tensor(np.asarray(logits))
    powered = tensor.exp()
    return torch.div(powered, powered.sum(1, keepdim=True)).numpy()
