# expect: buggy: returns the estimate as an (n, 1) column over the flattened x (the deeplearning.ai gradapprox
#   layout), not an array of x's shape
# behaviour of: Kulbear/deep-learning-coursera, Improving Deep Neural Networks/Gradient Checking.ipynb, gradient_check_n(parameters, gradients, X, Y, epsilon) (written here from scratch; no code copied)
def finite_difference_gradient(f, x, epsilon=1e-5):
    values = np.array(x, dtype=float).reshape(-1, 1)
    gradapprox = np.zeros((values.shape[0], 1))
    for i in range(values.shape[0]):
        thetaplus = np.copy(values)
        thetaplus[i][0] += epsilon
        thetaminus = np.copy(values)
        thetaminus[i][0] -= epsilon
        j_plus = f(thetaplus.reshape(np.shape(x)))
        j_minus = f(thetaminus.reshape(np.shape(x)))
        gradapprox[i] = (j_plus - j_minus) / (2 * epsilon)
    return gradapprox
