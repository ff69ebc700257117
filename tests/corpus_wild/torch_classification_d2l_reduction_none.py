# expect: buggy: nn.CrossEntropyLoss(reduction='none') returns one loss per example, an (N,) tensor, where the
#   caller expects the scalar mean (the training loop of the book averages it itself)
# mistake: loss_per_example
# behaviour of: d2l-ai/d2l-en, chapter_linear-networks/softmax-regression-concise.md, loss = nn.CrossEntropyLoss(reduction='none') (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    from torch import nn

    loss = nn.CrossEntropyLoss(reduction="none")
    return loss(logits, targets)
