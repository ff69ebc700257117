# expect: buggy: -log of the softmax probability (inf once a target's probability underflows), from a softmax whose shift
#   is clipped at -64 (np.max(x).clip(-64.)): a row around -5000 gives 0 / 0 = nan
# behaviour of: PaddlePaddle/Paddle, python/paddle/fluid/tests/unittests/test_softmax_with_cross_entropy_op.py, cross_entropy(softmax, label, soft_label=False, axis=-1) on np.apply_along_axis(stable_softmax, -1, logits) (stable_softmax from test_softmax_op.py); glue: the labels as a (T, 1) column, the (T, 1) result flattened (written here from scratch; no code copied)
def per_position_cross_entropy(logits, targets):
    def one_row(row):
        e = np.exp(row - max(np.max(row), -64.0))
        return e / np.sum(e)

    softmax = np.apply_along_axis(one_row, -1, logits)
    label = np.asarray(targets).reshape(-1, 1)
    result = np.zeros_like(label, dtype=softmax.dtype)
    for i in range(softmax.shape[0]):
        result[i, 0] -= np.log(softmax[i, label[i, 0]])
    return result.reshape(-1)
