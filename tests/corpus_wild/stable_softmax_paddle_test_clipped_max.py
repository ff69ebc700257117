# expect: buggy: the shift is the slice's max clipped from below at -64 (np.max(x).clip(-64.)), so a slice whose logits
#   all sit below about -810 (around -1000 or -1e4) underflows to 0 / 0 = nan
# behaviour of: PaddlePaddle/Paddle, python/paddle/fluid/tests/unittests/test_softmax_op.py, stable_softmax(x), applied per slice as the tests apply it (np.apply_along_axis(stable_softmax, axis, x)) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    def one_slice(row):
        shift = max(np.max(row), -64.0)  # the max, but never below -64
        e = np.exp(row - shift)
        return e / np.sum(e)

    return np.apply_along_axis(one_slice, axis, logits)
