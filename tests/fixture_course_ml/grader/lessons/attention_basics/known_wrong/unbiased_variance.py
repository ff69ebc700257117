def layer_norm(x, eps=1e-5):
    x = np.asarray(x)
    mean = x.mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + eps)).astype(x.dtype)
