def torch_sequence_loss(logits, targets):
    from torch import nn
    vocabulary = logits.shape[-1]
    return nn.NLLLoss()(logits.reshape(-1, vocabulary), targets.reshape(-1))
