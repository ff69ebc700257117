# expect: correct
# behaviour of: khanh14ph/Ezspeech, ezspeech/modules/losses/common.py, CELoss.forward(logits, labels) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    flat_logits = logits.reshape(-1, logits.size(-1))
    return torch.nn.functional.cross_entropy(flat_logits, targets.flatten())
