# expect: buggy: shifts the caller's logits in place (logits -= max) before the log-sum-exp: the loss is right but
#   the caller's array comes back changed
# mistake: loss_mutates_input
# behaviour of: martianmartian/mypy, dumpster/aurauro:cs231n-repo/tutorial_2/softmax_trikc.py, f -= np.max(f) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    logits -= np.max(logits)  # "shift the values of f so that the highest number is 0"
    return float(np.log(np.sum(np.exp(logits))) - logits[target_index])
