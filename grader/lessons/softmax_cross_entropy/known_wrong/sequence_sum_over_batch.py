def torch_sequence_loss(logits, targets):
    from torch import nn
    batch = logits.shape[0]
    total = nn.CrossEntropyLoss(reduction="sum")(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
    return total / batch
