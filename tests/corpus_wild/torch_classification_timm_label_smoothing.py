# expect: buggy: label smoothing 0.1 (the class's default): 0.9 * nll + 0.1 * mean(-log p) is not the cross-entropy
# behaviour of: huggingface/pytorch-image-models, timm/loss/cross_entropy.py, LabelSmoothingCrossEntropy(smoothing=0.1) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    share = 0.1  # label smoothing always on
    log_probs = torch.log_softmax(logits, dim=-1)
    true_term = -log_probs[torch.arange(log_probs.shape[0]), targets]
    uniform_term = -log_probs.mean(dim=-1)
    blended = (1.0 - share) * true_term + share * uniform_term
    return blended.mean()
