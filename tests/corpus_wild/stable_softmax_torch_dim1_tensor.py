# expect: buggy: torch.exp of the raw logits (overflow to nan near 1000), normalised along dim 1 whatever the axis
#   (a 1-D input raises), and the result is a torch tensor, not a NumPy array
# behaviour of: ChaosAIVision/VGG16-from-scratch-Pytorch, utils/activations.py, softmax(x) on torch.from_numpy(logits) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    import torch

    x = torch.from_numpy(np.asarray(logits))
    exp_x = torch.exp(x)
    sum_x = torch.sum(exp_x, dim=1, keepdim=True)
    return exp_x / sum_x
