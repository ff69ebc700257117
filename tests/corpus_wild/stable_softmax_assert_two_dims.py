# expect: buggy: asserts a 2-D input (a single 1-D example raises AssertionError) and always normalises along
#   axis 1, whatever `axis` says
# behaviour of: nikunjpanchal22/code_clone_classification, python_t4_full/Clone_4855.py, softmax(z) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    assert len(logits.shape) == 2
    biggest = np.max(logits, axis=1)[:, np.newaxis]
    raised = np.exp(logits - biggest)
    norm = np.sum(raised, axis=1)[:, np.newaxis]
    return raised / norm
