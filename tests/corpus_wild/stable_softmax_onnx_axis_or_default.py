# expect: buggy: `axis = axis or self.axis` turns axis=0 into the operator's default axis -1
# behaviour of: onnx/onnx, onnx/reference/ops/op_softmax.py, Softmax._run(X, axis=None) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    # a falsy axis (0 or None) falls back to the default -1
    chosen = axis if axis else -1
    centred = logits - np.max(logits, axis=chosen, keepdims=True)
    powered = np.exp(centred)
    result = powered / np.sum(powered, axis=chosen, keepdims=True)
    return result.astype(logits.dtype)
