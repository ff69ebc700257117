# expect: gradient_no_max_shift
def cross_entropy_gradient(logits, target_index):
    exps = [np.exp(v) for v in logits]
    total = sum(exps)
    return np.array([e / total - (1.0 if k == target_index else 0.0) for k, e in enumerate(exps)])
