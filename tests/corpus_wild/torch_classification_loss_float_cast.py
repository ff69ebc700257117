# expect: buggy: the loss is cast to float32 on the way out (loss.float()), so float64 logits get a loss rounded to
#   float32 (about 1e-7 relative) although the gradient stays float64
# behaviour of: pytorch/torchtune, torchtune/modules/loss/ce_chunked_output_loss.py, CEWithChunkedOutputLoss's .float() upcast applied to the loss on the way out instead of to the logits (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F

    return F.cross_entropy(logits, targets).float()
