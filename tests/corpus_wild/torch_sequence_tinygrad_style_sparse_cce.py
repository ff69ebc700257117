# expect: correct
# behaviour of: Elyasb14/models, new_mnist.py, sparse_categorical_crossentropy(self, Y, ignore_index=-1) (tinygrad's Tensor method of the time, written into the script): -1 at each target in an arange comparison, times log_softmax, summed over the kept positions' count; here on torch tensors (cond.where(a, b) as torch.where) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    loss_mask = targets != -1
    vocab = logits.shape[-1]
    counter = torch.arange(vocab, dtype=torch.int32).unsqueeze(0).expand(targets.numel(), vocab)
    hit = counter == targets.flatten().reshape(-1, 1)
    y = (torch.where(hit, -1.0, 0.0) * loss_mask.reshape(-1, 1)).reshape(*targets.shape, vocab)
    return logits.log_softmax(-1).mul(y).sum() / loss_mask.sum()
