# expect: buggy: the log-sum-exp keeps its reduced axis ((T, 1), keepdims=True) and the picked target logits are (T,),
#   so the subtraction broadcasts to a (T, T) table (row i minus every position's target logit)
# mistake: positions_keepdims_table
# behaviour of: arieshx/starXin, interface_py/nn/utils.py, log_sum_exp(x) (axis=1, keepdims=True) minus the target logits (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    mx = np.max(z, axis=1, keepdims=True)
    lse = mx + np.log(np.sum(np.exp(z - mx), axis=1, keepdims=True))
    return lse - z[np.arange(z.shape[0]), targets]
