# expect: correct
# behaviour of: arieshx/starXin, interface_py/nn/utils.py, log_sum_exp(x) (axis=1, keepdims=True), its column taken with [:, 0] before the target logits are subtracted (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    mx = np.max(z, axis=1, keepdims=True)
    lse = mx + np.log(np.sum(np.exp(z - mx), axis=1, keepdims=True))
    return lse[:, 0] - z[np.arange(z.shape[0]), np.asarray(targets)]
