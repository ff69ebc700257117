def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    return criterion(logits.reshape(-1, logits.size(-1)), targets.reshape(-1))
