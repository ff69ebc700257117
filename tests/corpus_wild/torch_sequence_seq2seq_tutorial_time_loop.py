# expect: buggy: adds one nn.CrossEntropyLoss per time step (each already a mean over the batch) and returns the sum:
#   T times the mean loss
# mistake: sequence_sum_over_batch
# behaviour of: pytorch/tutorials, intermediate_source/seq2seq_translation_tutorial.py, train (loss += criterion(decoder_output, target_tensor[di])) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    import torch
    from torch import nn

    criterion = nn.NLLLoss()
    loss = 0
    for di in range(targets.size(1)):
        decoder_output = torch.log_softmax(logits[:, di], dim=1)
        loss += criterion(decoder_output, targets[:, di])
    return loss
