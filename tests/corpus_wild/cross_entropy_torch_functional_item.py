# expect: correct
# behaviour of: jmjkx/MyConference, test.py, nn.CrossEntropyLoss on a (1, C) tensor, read with .item() (written here from scratch; no code copied)
def cross_entropy_from_logits(logits, target_index):
    import torch

    criterion = torch.nn.CrossEntropyLoss()
    scores = torch.as_tensor(np.asarray(logits, dtype=np.float64)).unsqueeze(0)
    return criterion(scores, torch.tensor([int(target_index)])).item()
