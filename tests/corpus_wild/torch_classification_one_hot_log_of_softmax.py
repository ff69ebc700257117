# expect: buggy: -log of F.softmax by hand: inf (or 0 * inf = nan) once a float32 probability underflows, e.g. a target
#   300 below its row's max
# mistake: torch_log_of_softmax
# behaviour of: EEDK/2021-inu-Ai, main.py, cost = (y_one_hot * -torch.log(F.softmax(z, dim=1))).sum(dim=1).mean() with y_one_hot.scatter_(1, y.unsqueeze(1), 1) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch
    import torch.nn.functional as F

    hypothesis = F.softmax(logits, dim=1)
    y_one_hot = torch.zeros_like(hypothesis)
    y_one_hot.scatter_(1, targets.unsqueeze(1), 1)
    return (y_one_hot * -torch.log(hypothesis)).sum(dim=1).mean()
