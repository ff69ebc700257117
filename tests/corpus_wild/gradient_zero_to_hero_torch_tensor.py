# expect: buggy: returns the torch tensor dlogits (float64, the right numbers) instead of a NumPy array
# behaviour of: karpathy/nn-zero-to-hero, lectures/makemore/makemore_part4_backprop.ipynb, dlogits = F.softmax(logits, 1); dlogits[range(n), Yb] -= 1; dlogits /= n, for one example (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    import torch
    import torch.nn.functional as F

    batch = torch.as_tensor(np.asarray(logits, dtype=np.float64)).unsqueeze(0)
    dlogits = F.softmax(batch, 1)
    dlogits[0, target_index] -= 1
    dlogits /= 1
    return dlogits[0]
