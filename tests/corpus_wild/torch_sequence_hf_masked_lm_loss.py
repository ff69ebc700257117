# expect: buggy: computes in float32 (logits.float()) whatever the input dtype: float64 logits around 1e4 lose ~1e-3
# behaviour of: huggingface/transformers, src/transformers/loss/loss_utils.py, ForMaskedLMLoss + fixed_cross_entropy (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    # the work is done in float32 whatever the input's dtype
    flat = torch.flatten(logits.to(torch.float32), 0, -2)
    criterion = torch.nn.CrossEntropyLoss(ignore_index=-100)
    return criterion(flat, torch.flatten(targets))
