# expect: buggy: scores the logits against texts[:, 1:] (the targets shifted by one position): the B * T rows then meet B
#   * (T - 1) targets and it raises (a batch-size mismatch, or view() on the non-contiguous slice when B > 1)
# behaviour of: TmBoris/LLaMA, src/loss/celoss.py, CELoss(vocab_size, seq_len).forward(logits, texts)['loss']; glue: vocab_size read from the logits (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F

    vocab_size = logits.shape[-1]
    return F.cross_entropy(logits.view(-1, vocab_size), targets[:, 1:].view(-1))
