# expect: buggy: the logits are cast to Keras' floatx (float32) before a stable log-softmax, so the loss carries
#   float32 rounding (about 1e-3 for logits near 1e4) and comes back as a float32 number
# mistake: loss_in_float32
# behaviour of: keras-team/keras, keras/src/backend/numpy/nn.py, sparse_categorical_crossentropy with from_logits=True (inputs converted to floatx, float32) (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    z = np.asarray(logits).astype(np.float32)
    shifted = z - np.max(z)
    log_probs = shifted - np.log(np.sum(np.exp(shifted)))
    return -log_probs[target_index]
