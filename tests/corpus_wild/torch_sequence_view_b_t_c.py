# expect: correct
# behaviour of: paraglondhe098/custom-LLM-training-pipeline, utils/loss_fn.py, ModifiedCrossEntropyLoss.forward (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    batch, steps, classes = logits.shape
    return torch.nn.functional.cross_entropy(logits.reshape(batch * steps, classes), targets.reshape(batch * steps))
