# expect: buggy: each chunk of positions is upcast with .float(), which for float64 logits is a cast down to
#   float32; the sum over chunks divided by the token count is otherwise the right mean
# mistake: sequence_in_float32
# behaviour of: pytorch/torchtune, torchtune/modules/loss/ce_chunked_output_loss.py, CEWithChunkedOutputLoss (chunks along time, .float() per chunk, reduction='sum' / number of tokens) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch.nn.functional as F

    ignore = -100
    chunks = logits.chunk(2, dim=1) if logits.shape[1] > 1 else (logits,)
    label_chunks = targets.chunk(2, dim=1) if targets.shape[1] > 1 else (targets,)
    total = 0.0
    for chunk, labels in zip(chunks, label_chunks):
        total = total + F.cross_entropy(chunk.reshape(-1, chunk.shape[-1]).float(), labels.reshape(-1),
                                        ignore_index=ignore, reduction="sum")
    return total / (targets != ignore).sum()
