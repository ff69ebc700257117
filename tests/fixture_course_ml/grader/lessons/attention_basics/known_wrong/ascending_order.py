def top_k_indices(scores, k):
    return np.argsort(np.asarray(scores, dtype=float), axis=-1)[..., -k:]
