# expect: correct
# behaviour of: keras-team/keras, keras/src/backend/numpy/nn.py, sparse_categorical_crossentropy(target, output, from_logits=True, axis=-1) with the file's log_softmax and one_hot (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    target = np.array(targets, dtype="int32")
    output = np.array(logits)
    top = np.max(output, axis=-1, keepdims=True)
    log_prob = output - top - np.log(np.exp(output - top).sum(axis=-1, keepdims=True))
    one_hot = np.zeros((target.size, output.shape[-1]), dtype="float32")
    one_hot[np.arange(target.size), target] = 1
    return -np.sum(one_hot * log_prob, axis=-1)
