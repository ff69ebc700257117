# expect: buggy: softmax over dim 1 whatever `axis` says (1-D logits raise IndexError), and no ValueError for a
#   temperature <= 0
# behaviour of: ForJadeForest/DistillCLIP, model/loss_component/soft_label.py, SoftLabel.forward: the soft targets f.softmax(tea_logits / self.temperature, dim=1); glue: torch.from_numpy in, .numpy() out (written here from scratch; no code copied)
def softmax_with_temperature(logits, temperature, axis=-1):
    import torch
    from torch.nn import functional as f

    return f.softmax(torch.from_numpy(logits) / temperature, dim=1).numpy()
