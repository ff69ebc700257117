# expect: buggy: shifts the caller's logits in place (logits -= logits.max(...)), which torch refuses for a leaf that
#   requires grad: every call raises RuntimeError
# mistake: sequence_logits_shifted_in_place
# behaviour of: austrian-code-wizard/spring2024-assignment1-basics, cs336_basics/loss.py, cross_entropy(logits, targets) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    logits -= logits.max(-1, keepdim=True)[0]
    loss = -logits.gather(-1, targets.unsqueeze(-1)).squeeze() + torch.log(torch.exp(logits).sum(-1))
    return loss.mean()
