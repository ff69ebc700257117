# expect: buggy: counts = logits.exp() without the max shift (float32 logits near 1000 overflow to nan) and -log of
#   the normalised counts (a target a few hundred below its row's max has probability 0 in float32, so inf)
# behaviour of: karpathy/nn-zero-to-hero, lectures/makemore/makemore_part1_bigrams.ipynb, counts = logits.exp(); probs = counts / counts.sum(1, keepdims=True); loss = -probs[torch.arange(n), ys].log().mean() (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    return -probs[torch.arange(targets.shape[0]), targets].log().mean()
