# expect: correct
def finite_difference_gradient(f, x, epsilon=1e-5):
    work = np.array(x, dtype=float)
    grad = np.empty(work.size)
    flat = work.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + epsilon
        plus = f(work)
        flat[i] = saved - epsilon
        minus = f(work)
        flat[i] = saved
        grad[i] = (plus - minus) / (2.0 * epsilon)
    return grad.reshape(work.shape)
