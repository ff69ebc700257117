def center(x):
    x = np.asarray(x, dtype=float)
    return x - x.min()
