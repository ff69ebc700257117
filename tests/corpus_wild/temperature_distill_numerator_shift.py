# expect: buggy: the max is subtracted above the fraction bar only (exp(x - max) / sum(exp(x))), so every answer is off by
#   a factor exp(-max) (0 or nan for large logits); one max and one sum over the whole array; no ValueError for a
#   temperature <= 0
# behaviour of: abc1035/aiyubin-task1, test/distill.py, softmax(x) as the file calls it, softmax(a / T) (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    x = logits / temperature
    top = np.max(x)
    return np.exp(x - top) / np.sum(np.exp(x))
