# expect: correct
# behaviour of: pytorch/torchtune, torchtune/modules/loss/ce_chunked_output_loss.py, CEWithChunkedOutputLoss's upcast for precision written as .double() (float64 can only gain) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch.nn.functional as F

    return F.cross_entropy(logits.double(), targets)
