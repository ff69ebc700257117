# expect: buggy: the max shift is there, but the loss is -log of the probabilities: in float32 a target a few
#   hundred below its row's max has probability 0 and the loss is inf
# mistake: torch_log_of_softmax
# behaviour of: karpathy/nn-zero-to-hero, lectures/makemore/makemore_part4_backprop.ipynb, the forward pass broken into logit_maxes, norm_logits, counts, counts_sum_inv, probs, logprobs (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    n = targets.shape[0]
    logit_maxes = logits.max(1, keepdim=True).values
    norm_logits = logits - logit_maxes
    counts = norm_logits.exp()
    counts_sum = counts.sum(1, keepdims=True)
    counts_sum_inv = counts_sum**-1
    probs = counts * counts_sum_inv
    logprobs = probs.log()
    return -logprobs[range(n), targets].mean()
