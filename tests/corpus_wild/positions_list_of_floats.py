# expect: buggy: one stable loss per row, but collected in a Python list of floats instead of a NumPy array
# behaviour of: ggerganov/llama.cpp, examples/perplexity/perplexity.cpp, the per-token negative log-likelihoods ported to Python (logits_i - np.logaddexp.reduce(logits_i)) and gathered in a list (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    z = np.asarray(logits, dtype=float)
    losses = []
    for row, target in zip(z, targets):
        log_probs = row - np.logaddexp.reduce(row)
        losses.append(float(-log_probs[target]))
    return losses
