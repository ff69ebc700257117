# expect: correct
# behaviour of: huggingface/pytorch-image-models, timm/loss/cross_entropy.py, SoftTargetCrossEntropy.forward(x, target) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    soft = torch.zeros_like(logits).scatter_(-1, targets[:, None], 1.0)
    log_probs = torch.log_softmax(logits, dim=-1)
    return (soft * log_probs).sum(dim=-1).neg().mean()
