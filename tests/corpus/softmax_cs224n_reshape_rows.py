# expect: correct
def stable_softmax(logits, axis=-1):
    orig_shape = logits.shape
    x = np.moveaxis(logits, axis, -1)
    if x.ndim > 1:
        shp = x.shape
        x = x.reshape(-1, shp[-1])
        tmp = np.max(x, axis=1)
        x = x - tmp.reshape((x.shape[0], 1))
        x = np.exp(x)
        tmp = np.sum(x, axis=1)
        x = x / tmp.reshape((x.shape[0], 1))
        x = x.reshape(shp)
    else:
        tmp = np.max(x)
        x = x - tmp
        x = np.exp(x)
        tmp = np.sum(x)
        x = x / tmp
    x = np.moveaxis(x, -1, axis)
    assert x.shape == orig_shape
    return x
