# expect: buggy: one stable loss per row, but collected in a Python list of floats instead of a NumPy array
# behaviour of: a llama.cpp perplexity helper, nll per token from logits_i - np.logaddexp.reduce(logits_i) gathered in a list (found with find_string, repository not named by the index) (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    losses = []
    for row, target in zip(z, targets):
        log_probs = row - np.logaddexp.reduce(row)
        losses.append(float(-log_probs[target]))
    return losses
