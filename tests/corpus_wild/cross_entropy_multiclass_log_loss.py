# expect: buggy: probabilities clipped to [1e-15, 1 - 1e-15] (and renormalised) cap the loss at 34.5
# mistake: clipped_log
# behaviour of: fanmcgrady/A3CMal, src/novel_feature/Measures.py, multiclass_log_loss(y_true, y_pred, eps=1e-15) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    tiny = 1e-15
    row = np.array(logits, dtype=float)
    weights = np.exp(row - row.max())
    probabilities = weights / weights.sum()
    # probabilities are clipped into [tiny, 1 - tiny] and then made to sum to one again
    bounded = np.clip(probabilities, tiny, 1.0 - tiny)
    bounded = bounded / bounded.sum()
    return float(-np.log(bounded[target_index]))
