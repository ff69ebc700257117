# expect: correct
# behaviour of: alan-turing-institute/arc-selective-forgetting, src/arcsf/eval/utils.py, get_loss (logits.transpose(-1, -2) into CrossEntropyLoss(reduction="none")), without the shift, averaged per sequence then over the batch (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn

    per_token = nn.CrossEntropyLoss(reduction="none")(logits.transpose(-1, -2), targets)
    return per_token.mean(dim=-1).mean()
