# expect: correct
# behaviour of: huggingface/transformers, src/transformers/loss/loss_utils.py, fixed_cross_entropy(source, target, num_items_in_batch=None, ignore_index=-100) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    criterion = torch.nn.CrossEntropyLoss(ignore_index=-100, reduction="mean")
    return criterion(logits, targets)
