# expect: correct
# behaviour of: the log-probabilities of a row as logits - np.logaddexp.reduce(logits, axis=1, keepdims=True), the target picked per row with np.choose (the logaddexp pattern of the CTC check found with find_string; repository not named by the index) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    log_probs = z - np.logaddexp.reduce(z, axis=1, keepdims=True)
    picked = np.choose(np.asarray(targets), log_probs.T)
    return -picked
