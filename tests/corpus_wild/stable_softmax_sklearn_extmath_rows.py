# expect: buggy: always normalises each row of a 2-D array (the max and the sum are reshaped to (-1, 1)), whatever
#   `axis` says; 1-D input raises (there is no axis 1) and 3-D input cannot broadcast back
# behaviour of: scikit-learn/scikit-learn, sklearn/utils/extmath.py, softmax(X, copy=True) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    work = np.array(logits, dtype=float)  # the copy= branch: the caller's array is left alone
    row_top = np.max(work, axis=1).reshape((-1, 1))
    work -= row_top
    np.exp(work, out=work)
    row_total = np.sum(work, axis=1).reshape((-1, 1))
    work /= row_total
    return work
