# expect: gradient_sign_flipped
def cross_entropy_gradient(logits, target_index):
    e = np.exp(logits - logits.max())
    p = e / np.einsum("i->", e)
    return np.eye(len(logits))[target_index] - p
