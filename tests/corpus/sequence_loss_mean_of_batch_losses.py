# expect: correct
def torch_sequence_loss(logits, targets):
    import torch
    import torch.nn.functional as F
    losses = [F.cross_entropy(logits[b], targets[b]) for b in range(logits.shape[0])]
    return torch.stack(losses).mean()
