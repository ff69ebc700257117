def torch_sequence_loss(logits, targets):
    from torch import nn
    vocabulary = logits.shape[-1]
    return nn.CrossEntropyLoss(reduction="sum")(logits.reshape(-1, vocabulary), targets.reshape(-1))
