# expect: sequence_sum_over_sequences
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F
    B, T, V = logits.shape
    return F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T), reduction="sum") / T
