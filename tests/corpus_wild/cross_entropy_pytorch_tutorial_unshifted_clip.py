# expect: buggy: exponentiates the raw logits (exp(1000) is inf, then nan) and clips the probability to [1e-15, 1 -
#   1e-15], which caps the loss at 34.5 when the target's probability underflows
# behaviour of: oguzhangencer/pytorch_tutorial, softmax_and_crossentorpy.py, softmax(x) then cross_entropy(actual, predicted) as the file chains them; glue: actual is the one-hot of target_index (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    predicted = np.exp(logits) / np.sum(np.exp(logits), axis=0)
    actual = np.zeros(len(logits))
    actual[target_index] = 1.0
    eps = 1e-15
    predicted = np.clip(predicted, eps, 1 - eps)
    return -np.sum(actual * np.log(predicted))
