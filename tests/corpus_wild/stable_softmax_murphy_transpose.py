# expect: buggy: ignores axis: transposes and always normalises each row of a 2-D array (1-D input raises)
# behaviour of: gregclinton/murphy, softmax.py, works(x) + softmax(x) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    values = np.asarray(logits, dtype=float)
    row_peaks = values.max(axis=1)
    flipped = np.transpose(values) - row_peaks
    powered = np.exp(flipped)
    return np.transpose(powered / powered.sum(axis=0))
