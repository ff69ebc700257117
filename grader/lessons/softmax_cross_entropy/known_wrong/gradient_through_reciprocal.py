def cross_entropy_gradient(logits, target_index):
    # chain rule: dL/dp is -1/p at the target, then back through the softmax's Jacobian
    p = stable_softmax(logits)
    dL_dp = np.zeros_like(p)
    dL_dp[target_index] = -1.0 / p[target_index]
    jacobian = np.diag(p) - np.outer(p, p)
    return jacobian @ dL_dp
