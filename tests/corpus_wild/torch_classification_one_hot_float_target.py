# expect: correct
# behaviour of: sungnyun/MixCo-Mixup-Contrastive, simclr/loss/mix_loss.py, SoftCrossEntropy-style soft targets fed to F.cross_entropy as a float one-hot (one-hot probabilities give the class-index loss; torch accepts float32 targets with float64 logits) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F

    soft = F.one_hot(targets, logits.shape[1]).float()
    return F.cross_entropy(logits, soft)
