# expect: correct
def cross_entropy_from_logits(logits, target_index):
    import math
    values = [float(v) for v in logits]
    biggest = max(values)
    total = 0.0
    for v in values:
        total += math.exp(v - biggest)
    return biggest + math.log(total) - values[target_index]
