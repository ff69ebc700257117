# expect: buggy: -sum(y * log(p + eps)) with eps = np.finfo(float).eps: a vanishing probability caps the loss at 36.04
# mistake: probability_plus_epsilon clipped_log
# behaviour of: yarkin06/DL_FAU, HW2/src_to_implement/Optimization/Loss.py, CrossEntropyLoss.forward(prediction_tensor, label_tensor) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    row = np.array(logits, dtype=np.float64)
    weights = np.exp(row - np.amax(row))
    chance = weights[target_index] / weights.sum()
    # machine epsilon is added inside the log
    return float(-np.log(chance + np.finfo(np.float64).eps))
