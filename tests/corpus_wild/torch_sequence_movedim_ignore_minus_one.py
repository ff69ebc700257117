# expect: correct
# behaviour of: Ron-Leizrowice/modern-python-project-template, src/llm_training/utils.py, compute_next_token_loss(logits, targets) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F

    # the vocabulary moved to dim 1, where nn.functional.cross_entropy reads the classes of (B, V, T) input
    return F.cross_entropy(logits.movedim(-1, 1), targets, ignore_index=-1, reduction="mean")
