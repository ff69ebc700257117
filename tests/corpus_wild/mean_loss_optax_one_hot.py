# expect: correct
# behaviour of: NishantPrabhu/JAX-boilerplate, losses.py, cross_entropy_loss(logits, labels): common_utils.onehot, then optax.softmax_cross_entropy (google-deepmind/optax, optax/losses/_classification.py: -(labels * jax.nn.log_softmax(logits, axis)).sum(axis)), then jnp.mean (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    centred = logits - np.amax(logits, axis=-1, keepdims=True)
    log_probs = centred - np.log(np.sum(np.exp(centred), axis=-1, keepdims=True))
    per_row = -log_probs[np.arange(log_probs.shape[0]), targets]
    return float(per_row.mean())
