# expect: logsumexp_no_shift
def cross_entropy_from_logits(logits, target_index):
    import math
    return math.log(sum(math.exp(v) for v in logits)) - logits[target_index]
