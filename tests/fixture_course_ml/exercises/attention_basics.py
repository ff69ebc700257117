"""Attention basics: the exercises of a second fixture lesson of the grader's own tests.

Replace each stub's body; `grade` checks it. Every kind of output an exercise can return is here:
a boolean mask, integer indices, a Python number, a named pair of arrays, a float32 array and torch
tensors whose gradients are checked.
"""
from typing import NamedTuple

import numpy as np


class Attention(NamedTuple):
    output: np.ndarray
    weights: np.ndarray


def causal_mask(n):
    """Return the (n, n) boolean mask of causal attention: entry [i, j] is True where query i may look
    at key j, that is where j <= i. Example: causal_mask(2) -> array([[True, False], [True, True]])."""
    raise NotImplementedError


def top_k_indices(scores, k):
    """Return the indices of the k largest scores along the last axis, largest first, as integers;
    equal scores keep their order (the lower index first). Example: top_k_indices([1, 3, 2], 2) -> array([1, 2])."""
    raise NotImplementedError


def accuracy(logits, labels):
    """Return the fraction of rows of the (N, C) logits whose largest entry is at the row's label, as a
    Python float. Example: accuracy([[2, 1], [0, 3]], [0, 0]) -> 0.5."""
    raise NotImplementedError


def attention(q, k, v, mask=None):
    """Scaled dot-product attention of (Lq, d) queries over (Lk, d) keys and (Lk, dv) values.

    weights = softmax(q @ k.T / sqrt(d)) along the last axis, with weights 0 where the boolean (Lq, Lk)
    mask is False; output = weights @ v. Return Attention(output, weights)."""
    raise NotImplementedError


def layer_norm(x, eps=1e-5):
    """Normalise each row (last axis) of a float32 array to mean 0 and variance 1:
    (x - mean) / sqrt(variance + eps), the variance over the row's n entries (divided by n).
    Return float32, like the input."""
    raise NotImplementedError


def torch_layer_norm(x, eps=1e-5):
    """layer_norm for a torch tensor, written with tensor operations so that gradients flow back to x
    (not torch.nn.functional.layer_norm)."""
    raise NotImplementedError


def torch_attention(q, k, v, mask):
    """The output of attention for torch tensors (mask: a boolean tensor), gradients flowing back to
    q, k and v (not torch.nn.functional.scaled_dot_product_attention)."""
    raise NotImplementedError
