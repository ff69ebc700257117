# expect: correct
# behaviour of: pytorch/pytorch, torch/autograd/gradcheck.py, the analytic side of gradcheck (backward of F.cross_entropy on a float64 leaf) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    import torch
    import torch.nn.functional as F

    leaf = torch.tensor(np.asarray(logits, dtype=np.float64), requires_grad=True)
    loss = F.cross_entropy(leaf[None, :], torch.tensor([int(target_index)]))
    loss.backward()
    return leaf.grad.numpy()
