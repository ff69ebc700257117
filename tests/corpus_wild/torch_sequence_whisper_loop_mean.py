# expect: correct
# behaviour of: Alan-404/Whipser, loss.py, Loss.forward(outputs, labels) (one nn.CrossEntropyLoss per sequence, summed, / batch_size) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn

    criterion = nn.CrossEntropyLoss()
    batch_size = targets.size(0)
    loss = 0.0
    for b in range(batch_size):
        loss += criterion(logits[b], targets[b])
    return loss / batch_size
