# expect: correct
# behaviour of: pytorch/examples, mnist/main.py: Net.forward ends with F.log_softmax(x, dim=1) and train() takes F.nll_loss(output, target) (written here from scratch; no code copied)
def torch_classification_loss(logits, targets):
    import torch

    log_probs = torch.log_softmax(logits, dim=1)
    return torch.nn.NLLLoss()(log_probs, targets)
