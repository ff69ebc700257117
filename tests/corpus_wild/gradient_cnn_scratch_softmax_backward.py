# expect: buggy: the probabilities come from exp of the raw logits (no max shift): logits around 1000 give nan
# mistake: gradient_no_max_shift
# behaviour of: chih-chun-chang/convolutional-neural-network-from-scratch-python, model/layers.py, Softmax.forward(inputs) then Softmax.backward(dy) = self.out.T - dy.reshape(K, 1) with dy the one-hot label; glue: dtype=float for the removed np.float alias, the (1, K) row in and the (K, 1) column out reshaped (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    row = logits.reshape(1, -1)
    e = np.exp(row, dtype=float)
    out = e / np.sum(e)
    dy = np.zeros(row.shape[1])
    dy[target_index] = 1.0
    column = out.T - dy.reshape(dy.shape[0], 1)
    return column.reshape(-1)
