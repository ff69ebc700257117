# expect: buggy: computes the loss under torch.no_grad() (an evaluation loop's habit): the value is right but the
#   result is cut off from the graph
# mistake: detached_result
# behaviour of: WANGPeisheng1997/DefocusBlurRemoving, test.py, test(args, model, device, loader) (nn.CrossEntropyLoss computed inside `with torch.no_grad():`), without its .item() and sum (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch
    from torch import nn

    criterion = nn.CrossEntropyLoss()
    with torch.no_grad():
        loss = criterion(logits, targets)
    return loss
