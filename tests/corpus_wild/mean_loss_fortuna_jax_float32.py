# expect: buggy: under JAX's default configuration (jax_enable_x64 off) the float64 logits become float32, so the loss
#   near 1e4 carries float32 rounding (~1e-3)
# mistake: mean_loss_in_float32
# behaviour of: awslabs/fortuna, fortuna/loss/classification/cross_entropy.py, cross_entropy_loss_fn(outputs, targets): jnp.mean(jsp.special.logsumexp(outputs, -1) - jnp.sum(jax.nn.one_hot(targets, C) * outputs, -1)), in float32 as JAX computes it by default; glue: float() of the 0-d result (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    outputs = np.asarray(logits, dtype=np.float32)  # what jnp.asarray keeps of float64 data without x64
    one_hot = np.eye(outputs.shape[-1], dtype=np.float32)[np.asarray(targets)]
    top = np.max(outputs, axis=-1, keepdims=True)
    log_sum_exp = np.log(np.sum(np.exp(outputs - top), axis=-1)) + top[..., 0]
    return float(np.mean(log_sum_exp - np.sum(one_hot * outputs, axis=-1)))
