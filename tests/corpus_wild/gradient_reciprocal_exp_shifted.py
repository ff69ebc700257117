# expect: buggy: the chain rule through 1 / exp(z_target - m) is shifted, but a target far below the max still
#   underflows: exp(-2000) = 0, 1 / 0 = inf and inf * 0 = nan in the target's entry
# mistake: gradient_through_reciprocal
# behaviour of: xoyoon2/ai-practice, classifiers/loss_grad_softmax.py, softmax_loss (dscores through du) with a max shift added (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    z = np.asarray(logits, dtype=float)
    shifted = z - np.max(z)
    unnormalized = np.exp(shifted)
    du = np.ones_like(z) / np.sum(unnormalized)
    with np.errstate(divide="ignore", invalid="ignore"):
        du[target_index] -= 1 / unnormalized[target_index]
        return du * unnormalized
