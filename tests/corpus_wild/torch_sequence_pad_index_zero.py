# expect: buggy: nn.CrossEntropyLoss(ignore_index=pad_idx) with the default pad_idx=0 drops every position whose
#   target is token 0 from the mean
# behaviour of: georgepar/slp, slp/modules/loss.py, SequenceCrossEntropyLoss(pad_idx=0).forward(y_pred, targets) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    # token 0 is taken for padding, so every position whose target is 0 is left out of the mean
    flat = logits.reshape(-1, logits.shape[-1])
    return torch.nn.functional.cross_entropy(flat, targets.reshape(-1), ignore_index=0)
