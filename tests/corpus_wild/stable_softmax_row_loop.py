# expect: buggy: loops over the first axis and normalises each whole sub-array: 1-D input gives all ones, axis ignored
# behaviour of: kattoyoshi/NeuralNetworkFromScratch, functions.py, softmax(X) with its inner _softmax (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    def normalise_all_of(block):
        powered = np.exp(block - np.max(block))
        return powered / powered.sum()

    # each item along the first axis is normalised as one whole distribution
    return np.stack([normalise_all_of(item) for item in logits])
