# expect: buggy: flattens the logits into rows of 2 (out.view(-1, 2): a vocabulary of two hard-coded) and sums instead of
#   averaging (reduction='sum'); with V != 2 the rows no longer match the targets and it raises
# behaviour of: wcc11404/GGNN_GED, Loss/BaseLoss.py, BaseLoss.forward(output, target) with nn.CrossEntropyLoss(ignore_index=-1, reduction='sum'); glue: output = (logits, None), target = (targets, None) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    from torch import nn

    loss = nn.CrossEntropyLoss(ignore_index=-1, reduction="sum")
    return loss(logits.view(-1, 2), targets.view(-1))
