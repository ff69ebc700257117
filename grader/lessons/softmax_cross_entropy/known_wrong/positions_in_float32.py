def per_position_cross_entropy(logits, targets):
    import torch
    import torch.nn.functional as F
    return F.cross_entropy(torch.tensor(logits, dtype=torch.float32), torch.tensor(targets), reduction="none").numpy()
