# expect: buggy: -sum(one_hot * log p) per position: once any probability of a row underflows to 0, 0 * log 0 makes the
#   mean nan (and a target's own underflow makes it inf)
# mistake: mean_loss_log_of_softmax
# behaviour of: ThePrinceInExile312/DLlab, DL2.py, softmax(x) (max-shifted along axis 1) then cross_entropy(y_true, y_pred) with y_true the one-hot of targets, as the training loop chains them (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    ex = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    y_pred = ex / np.sum(ex, axis=1, keepdims=True)
    y_true = np.eye(logits.shape[1])[targets]
    return -np.mean(np.sum(y_true * np.log(y_pred), axis=1))
