# expect: buggy: torch.exp(logits / T) without a max shift (inf / inf = nan for large logits or a small T), one sum over
#   the whole array whatever `axis` says, and no ValueError for a temperature <= 0
# behaviour of: Matthew-Dickson/MIT807, Functions/ActivationFunctions/activation_functions.py, softmax_with_temperature(logits, temperature); glue: torch.from_numpy in, .numpy() out (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    import torch

    z = torch.from_numpy(logits)
    return (torch.exp(z / temperature) / torch.sum(torch.exp(z / temperature))).numpy()
