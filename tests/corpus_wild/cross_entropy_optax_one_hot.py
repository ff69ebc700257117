# expect: correct
# behaviour of: Impure-King/base-tensorwrap, tensorwrap/nn/losses/categorical.py, SparseCategoricalCrossentropy.call (from_logits=True): one_hot labels, jax.nn.log_softmax, optax.softmax_cross_entropy (-sum(labels * log_softmax(logits)) over the last axis), mean (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    def normalise_log(values):
        centred = values - values.max()
        return centred - np.log(np.exp(centred).sum())

    # log-probabilities are normalised twice (the second pass is almost a no-op)
    log_probs = normalise_log(normalise_log(np.array(logits, dtype=float)))
    return float(-log_probs[target_index])
