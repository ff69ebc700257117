# expect: correct
# behaviour of: karpathy/nn-zero-to-hero, lectures/makemore/makemore_part4_backprop.ipynb, dlogits = F.softmax(logits, 1); dlogits[range(n), Yb] -= 1; dlogits /= n, for one example, handed back with .numpy() (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    import torch
    import torch.nn.functional as F

    batch = torch.as_tensor(np.array(logits, dtype=np.float64)).unsqueeze(0)
    dlogits = F.softmax(batch, 1)
    dlogits[0, target_index] -= 1
    dlogits /= batch.shape[0]
    return dlogits[0].numpy()
