# expect: buggy: softmax of the raw logits (e / sum(e)): nan once a logit is near 1000
# mistake: gradient_no_max_shift
# behaviour of: Kose-i/machine_learning_tutorial, Book/DeepLearning_math/5step.py, softmax(x) and delta2 = z - t (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    # exponentials of the raw logits: no shift by the maximum
    powered = np.exp(logits)
    wanted = np.zeros(len(logits))
    wanted[target_index] = 1.0
    return powered / np.sum(powered) - wanted
