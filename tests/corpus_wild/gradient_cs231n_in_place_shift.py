# expect: buggy: shifts the caller's logits in place (logits -= max) before the softmax: the gradient is right but the
#   caller's array comes back changed
# mistake: gradient_mutates_input
# behaviour of: martianmartian/mypy, dumpster/aurauro:cs231n-repo/tutorial_2/softmax_trikc.py, f -= np.max(f) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    logits -= np.max(logits)
    p = np.exp(logits) / np.sum(np.exp(logits))
    p[target_index] -= 1.0
    return p
