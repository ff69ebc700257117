# expect: correct
# behaviour of: Sentdex/nnfs_book, Chapter_15/Ch15_Final.py, Activation_Softmax.forward (max-shifted, axis=1) and Activation_Softmax_Loss_CategoricalCrossentropy.backward(dvalues, y_true) (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    row = np.asarray(logits)
    powered = np.exp(row - np.max(row))
    result = powered / powered.sum()
    result[target_index] = result[target_index] - 1
    return result
