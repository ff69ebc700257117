# expect: correct
# behaviour of: numpy/numpy, numpy/_core/code_generators/ufunc_docstrings.py, logaddexp (reduced over the logits: np.logaddexp.reduce(z) - z[target]) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    z = np.asarray(logits, dtype=float)
    return float(np.logaddexp.reduce(z) - z[target_index])
