# expect: buggy: torch.tensor(logits.tolist()) makes a float32 tensor (torch's default dtype), so p - y carries
#   float32 rounding (and the logits are rounded to float32 first)
# mistake: gradient_in_float32
# behaviour of: MaxiGorynski/personalLLM, SoftmaxWithTemperature.py, torch.softmax of a tensor built from Python floats (written here from scratch; no code copied)
def cross_entropy_gradient(logits, target_index):
    import torch

    scores = torch.tensor(np.asarray(logits).tolist())  # float32
    probs = torch.softmax(scores, dim=0)
    probs[target_index] -= 1
    return probs.numpy()
