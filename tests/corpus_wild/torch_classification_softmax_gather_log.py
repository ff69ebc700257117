# expect: buggy: -log of the gathered softmax probability: inf when a float32 probability underflows (gap ~ 100+)
# behaviour of: nguyenbui45/Deep-learning-summary, codes/crossentropy.py (softmax, gather, mean of -log) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    probabilities = torch.softmax(logits, dim=1)
    # the log is taken of the (possibly underflowed) probability itself
    picked = probabilities[torch.arange(probabilities.shape[0]), targets]
    return (-picked.log()).mean()
