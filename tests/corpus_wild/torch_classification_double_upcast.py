# expect: correct
# behaviour of: F.cross_entropy on logits upcast to float64 (logits.double()), as loss helpers do for precision; the gradient flows back to the float32 leaf in its own dtype (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F

    return F.cross_entropy(logits.double(), targets)
