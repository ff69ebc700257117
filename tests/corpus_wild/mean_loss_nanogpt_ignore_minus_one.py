# expect: correct
# behaviour of: karpathy/nanoGPT, model.py, GPT.forward (F.cross_entropy(..., ignore_index=-1)) in NumPy: positions whose target is -1 are left out of the mean, and here there are none (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    z = np.asarray(logits, dtype=float)
    t = np.asarray(targets)
    keep = t != -1
    m = z.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    picked = z[np.arange(len(t)), np.where(keep, t, 0)]
    losses = np.where(keep, lse - picked, 0.0)
    return float(losses.sum() / max(keep.sum(), 1))
