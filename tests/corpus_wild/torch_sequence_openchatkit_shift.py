# expect: buggy: shifts logits and labels by one position (labels taken as the inputs), so position t is scored
#   against target t + 1 and the last position is dropped
# behaviour of: togethercomputer/OpenChatKit, training/modules/utils.py, gpt_loss_func(input, target) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    # drops the last position's logits and the first position's target, so position t meets target t + 1
    early = logits[:, :-1]
    later = targets[:, 1:]
    return torch.nn.functional.cross_entropy(early.reshape(-1, early.shape[-1]), later.reshape(-1))
