# expect: buggy: computes in float32 (x.float(), "upcast" for bf16 inputs) and casts back: float64 logits lose precision
# mistake: softmax_in_float32
# behaviour of: ImmortalDemonGod/mastery-engine, cs336_basics/utils.py, softmax(in_features, dim) (written here from scratch; no code copied)
def stable_softmax(logits, axis=-1):
    import torch

    given = torch.as_tensor(np.asarray(logits))
    single = given.to(torch.float32)
    top = torch.max(single, dim=axis, keepdim=True).values
    numerators = torch.exp(single - top)
    probabilities = numerators / torch.sum(numerators, dim=axis, keepdim=True)
    return probabilities.to(given.dtype).numpy()
