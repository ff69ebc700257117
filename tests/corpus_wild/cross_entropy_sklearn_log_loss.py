# expect: buggy: probabilities clipped to [eps, 1 - eps] with eps = 2.2e-16 cap the loss at 36.04
# mistake: clipped_log probability_plus_epsilon
# behaviour of: scikit-learn/scikit-learn, sklearn/metrics/_classification.py, log_loss (since 1.5: eps is np.finfo(y_pred.dtype).eps, clip, -xlogy(labels, y_pred).sum(axis=1), mean over samples) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    row = np.array(logits, dtype=float)
    weights = np.exp(row - row.max())
    probabilities = weights / weights.sum()
    # probabilities are kept inside [eps, 1 - eps], eps being the dtype's machine epsilon
    eps = np.finfo(probabilities.dtype).eps
    bounded = np.clip(probabilities, eps, 1 - eps)
    return float(-np.log(bounded[target_index]))
