# expect: correct
# behaviour of: eth-easl/fmengine, fmengine/optimizers/loss_func.py, loss_fn(outputs, labels) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    return torch.nn.CrossEntropyLoss()(torch.flatten(logits, 0, -2), torch.flatten(targets))
