# expect: buggy: pads and shifts the labels (position t scored against target t + 1, the last one ignored) and
#   computes in float32 (logits.float())
# behaviour of: huggingface/transformers, src/transformers/loss/loss_utils.py, ForCausalLMLoss + fixed_cross_entropy (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch

    skip = -100
    # position t is scored against target t + 1; the last position has nothing and is skipped
    following = torch.full_like(targets, skip)
    following[..., :-1] = targets[..., 1:]
    # the work is done in float32 whatever the input's dtype
    flat = logits.to(torch.float32).reshape(-1, logits.shape[-1])
    return torch.nn.functional.cross_entropy(flat, following.reshape(-1), ignore_index=skip)
