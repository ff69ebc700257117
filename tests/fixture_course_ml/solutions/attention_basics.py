"""Attention basics: the reference solutions (instructor side).

Each public function stands on its own: none calls another exercise's function, so a mistake in one
exercise (a known-wrong file swapped in by ``grade validate``) never changes another's expected values.
torch is imported inside the two torch functions only: the trusted grader imports this module for its
NumPy functions.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Attention(NamedTuple):
    output: np.ndarray
    weights: np.ndarray


def causal_mask(n):
    return np.tril(np.ones((n, n), dtype=bool))


def top_k_indices(scores, k):
    scores = np.asarray(scores, dtype=float)
    return np.argsort(-scores, axis=-1, kind="stable")[..., :k]


def accuracy(logits, labels):
    predictions = np.argmax(np.asarray(logits), axis=-1)
    return float(np.mean(predictions == np.asarray(labels)))


def attention(q, k, v, mask=None):
    q, k, v = (np.asarray(a, dtype=float) for a in (q, k, v))
    scores = q @ k.swapaxes(-1, -2) / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = shifted / shifted.sum(axis=-1, keepdims=True)
    return Attention(weights @ v, weights)


def layer_norm(x, eps=1e-5):
    x = np.asarray(x)
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(variance + eps)).astype(x.dtype)


def torch_layer_norm(x, eps=1e-5):
    mean = x.mean(dim=-1, keepdim=True)
    variance = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    return (x - mean) / (variance + eps).sqrt()


def torch_attention(q, k, v, mask):
    import torch

    scores = q @ k.transpose(-1, -2) / q.shape[-1] ** 0.5
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    return weights @ v
