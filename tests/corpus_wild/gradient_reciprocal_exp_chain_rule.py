# expect: buggy: the gradient is built by the chain rule through 1 / exp(z_target) without the max shift: logits
#   near 1000 overflow (inf / inf), and a target whose exp underflows gives 1 / 0 * 0 = nan
# behaviour of: xoyoon2/ai-practice, classifiers/loss_grad_softmax.py, softmax_loss (dscores through du) for one example (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    z = np.asarray(logits, dtype=float)
    unnormalized = np.exp(z)
    du = np.ones_like(z) / np.sum(unnormalized)
    du[target_index] -= 1 / unnormalized[target_index]
    return du * np.exp(z)
