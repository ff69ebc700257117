# expect: buggy: the smoothing share eps_i = epsilon / (V - 1) is computed even for epsilon = 0, so a vocabulary of
#   one word raises ZeroDivisionError; every other input gives the right mean
# behaviour of: nicola-decao/pytorch-lightning-transformers-seq2seq, src/utils.py, label_smoothed_nll_loss(lprobs, target, epsilon=0.0) on log_softmax(logits, -1), divided by the number of tokens (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F

    lprobs = F.log_softmax(logits, dim=-1)
    target = targets.unsqueeze(-1)
    epsilon = 0.0
    nll_loss = -lprobs.gather(dim=-1, index=target).squeeze(-1)
    smooth_loss = -lprobs.sum(dim=-1, keepdim=True).squeeze(-1)
    nll_loss = nll_loss.sum()
    smooth_loss = smooth_loss.sum()
    eps_i = epsilon / (lprobs.size(-1) - 1)
    loss = (1.0 - epsilon - eps_i) * nll_loss + eps_i * smooth_loss
    return loss / targets.numel()
