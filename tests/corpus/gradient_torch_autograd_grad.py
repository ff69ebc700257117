# expect: correct
def cross_entropy_gradient(logits, target_index):
    import torch
    z = torch.from_numpy(np.array(logits, dtype=np.float64)).requires_grad_()
    loss = -torch.log_softmax(z, dim=0)[target_index]
    (g,) = torch.autograd.grad(loss, z)
    return g.numpy()
