# expect: correct
# behaviour of: cross-entropy of one anchor as np.logaddexp.reduce(logits) - logits[target] (a NT-Xent anchor loss found with find_string, repository not named by the index), the pattern of nt_xent_anchor (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    z = np.asarray(logits, dtype=float)
    return float(np.logaddexp.reduce(z) - z[target_index])
