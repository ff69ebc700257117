# expect: buggy: treats token 0 as padding: positions whose target is 0 get a loss of 0 but still count in the mean
#   (the mask multiplies the losses, the mean divides by all T)
# mistake: mean_loss_pad_token_ignored
# behaviour of: tensorflow/docs, site/en/tutorials/text/nmt_with_attention.ipynb, loss_function(real, pred) (written here from scratch; no code copied)
def sequence_mean_loss(logits, targets):
    z = np.asarray(logits, dtype=float)
    top = z.max(axis=1, keepdims=True)
    losses = (top[:, 0] + np.log(np.exp(z - top).sum(axis=1))) - z[np.arange(z.shape[0]), targets]
    mask = (np.asarray(targets) != 0).astype(losses.dtype)
    losses = losses * mask
    return float(np.mean(losses))
