# expect: buggy: divides the mean loss by the batch size a second time (loss / N after nn.CrossEntropyLoss already
#   averaged): the loss and its gradient shrink with N
# mistake: loss_averaged_twice
# behaviour of: Alan-404/Whipser, loss.py, Loss.forward (criterion(...) / batch_size) with the batch passed whole instead of one row at a time (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch
    from torch import nn

    criterion = nn.CrossEntropyLoss()
    batch_size = targets.size(0)
    return criterion(logits, targets) / batch_size
