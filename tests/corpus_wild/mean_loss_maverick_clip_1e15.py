# expect: buggy: probabilities clipped to [1e-15, 1 - 1e-15] cap each position's loss at 34.5 (a target 1500 below its
#   row's max)
# mistake: mean_loss_clipped
# behaviour of: machinelearning-maverick/deep-learning-challenge, src/deep_learning_challenge/machine_learning/deep_learning/challenge/day_08/cross_entropy_multi_class_classification_numpy.py, softmax(logits) then cross_entropy(y_true, y_pred, eps=1e-15) with y_true the one-hot of targets (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    exps = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    y_pred = exps / np.sum(exps, axis=1, keepdims=True)
    y_true = np.eye(logits.shape[1])[targets]
    eps = 1e-15
    y_pred = np.clip(y_pred, eps, 1 - eps)
    return -np.mean(np.sum(y_true * np.log(y_pred), axis=1))
