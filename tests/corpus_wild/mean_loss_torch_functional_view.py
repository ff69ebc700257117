# expect: buggy: F.cross_entropy refuses int32 targets (it wants int64), and the docstring allows any ints
# behaviour of: eth-easl/fmengine, fmengine/optimizers/loss_func.py, loss_fn(outputs, labels) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    import torch

    scores = torch.as_tensor(np.asarray(logits))
    labels = torch.as_tensor(np.asarray(targets))  # the targets' own integer dtype, int32 included
    flat_scores = scores.reshape(-1, scores.shape[-1])
    loss = torch.nn.functional.cross_entropy(flat_scores, labels.reshape(-1))
    return loss.item()
