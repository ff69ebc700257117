# expect: buggy: -log(p + 1e-05) at every position: shifts every loss and caps a vanishing probability at 11.5
# behaviour of: vanqaq/hm1, loss.py, softmax(x) + CrossEntropyLoss(y_hat, y) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = weights / weights.sum(axis=1, keepdims=True)
    # 1e-05 is added inside every log
    total = 0.0
    for row, target in zip(probabilities, targets):
        total = total - np.log(row[target] + 1e-05)
    return total / len(targets)
