# expect: correct
# behaviour of: Hawar-Dzaee/Foundation-LLM-from-scratch, L2_Advanced/GPT2/loss.py, cross_entropy(logits, targets) (written here from scratch; no code copied)
def torch_sequence_loss(logits, targets):
    from torch import nn

    return nn.CrossEntropyLoss()(logits.flatten(0, 1), targets.flatten())
