# expect: buggy: torch.take indexes the flattened (B*T*V,) tensor, so every position reads its target's column
#   from the first row(s) instead of its own row
# mistake: sequence_flat_index
# behaviour of: shubham0204/language-modelling-with-pytorch, loss.py, sparse_crossentropy_with_logits(logits, targets) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    vocab = logits.shape[-1]
    surprise = -torch.log_softmax(logits.reshape(-1, vocab), dim=-1)
    # the targets index the flattened table, so each position reads from the first row(s), not its own
    return surprise.reshape(-1)[targets.reshape(-1)].mean()
