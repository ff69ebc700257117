# expect: buggy: the loss is cast to float32 on the way out (loss.float()), so float64 logits get a loss rounded to
#   float32 (about 1e-7 relative) although the gradient stays float64
# behaviour of: mixed-precision training loops that log and return loss.float() (the pattern of huggingface/transformers' Trainer.compute_loss under autocast) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F

    return F.cross_entropy(logits, targets).float()
