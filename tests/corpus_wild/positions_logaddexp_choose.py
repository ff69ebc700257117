# expect: correct
# behaviour of: numpy/numpy, numpy/_core/code_generators/ufunc_docstrings.py, logaddexp reduced along each row, the target picked per row with np.choose (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    log_probs = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    picked = np.choose(np.asarray(targets), log_probs.T)
    return -picked
