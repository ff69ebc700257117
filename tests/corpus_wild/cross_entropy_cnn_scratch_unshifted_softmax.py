# expect: buggy: exponentiates the raw logits (exp(1000) is inf, then nan) and takes -log of the target's probability (inf
#   once it underflows, e.g. logits [0, -2000], target 1)
# behaviour of: chih-chun-chang/convolutional-neural-network-from-scratch-python, model/layers.py Softmax.forward(inputs) then model/loss.py cross_entropy(inputs, labels) with a one-hot label, as the training loop chains them; glue: dtype=float for the removed np.float alias, the one-hot built from target_index (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    row = np.asarray(logits).reshape(1, -1)  # the network hands the softmax one (1, K) row
    e = np.exp(row, dtype=float)
    probs = e / np.sum(e)
    labels = np.zeros(row.shape[1])
    labels[target_index] = 1.0
    p = np.sum(labels.reshape(1, labels.shape[0]) * probs)
    return -np.log(p)
