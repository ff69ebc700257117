# expect: buggy: p - y is computed in float64 and then stored in a float32 array (np.zeros(K, dtype=np.float32)),
#   so the gradient comes back with 7 digits where 16 were promised
# behaviour of: nasa-gibs/gibs-ml, models/softmax.py, softmax_loss's probabilities[range(N), y] -= 1 written into a float32 buffer, for one example (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max())
    grad = np.zeros(z.shape, dtype=np.float32)
    grad[:] = e / e.sum()
    grad[target_index] -= 1
    return grad
