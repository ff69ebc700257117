# expect: buggy: torch.softmax over dim 0 whatever `axis` says (right for 1-D logits only), and no ValueError for a
#   temperature <= 0
# behaviour of: 1501454486/myGPT, utils/temperature.py, softmax_with_temperature(logits, temperature); glue: torch.from_numpy on the way in, .numpy() on the way out (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    import torch

    scaled = torch.from_numpy(logits) / temperature
    return torch.softmax(scaled, dim=0).numpy()
