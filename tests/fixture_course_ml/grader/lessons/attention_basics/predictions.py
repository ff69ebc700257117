"""What the known mistakes of the attention-basics fixture lesson return (mistakes that raise need none)."""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from grader.core.checks import Case


def upper_triangle(ref: ModuleType, case: Case) -> dict[str, Any]:
    n = case.plain_args()[0]
    return {"value": np.triu(np.ones((n, n), dtype=bool))}


def ascending_order(ref: ModuleType, case: Case) -> dict[str, Any]:
    scores, k = case.plain_args()
    return {"value": np.argsort(np.asarray(scores, dtype=float), axis=-1)[..., -k:]}


def unscaled_scores(ref: ModuleType, case: Case) -> dict[str, Any]:
    """Both parts of the tuple: the weights of the unscaled scores, and the output they give."""
    q, k, v = case.plain_args()
    scores = q @ k.T
    if "mask" in case.kwargs:
        scores = np.where(case.kwargs["mask"], scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return {"value": (weights @ v, weights)}


def unbiased_variance(ref: ModuleType, case: Case) -> dict[str, Any]:
    x = np.asarray(case.plain_args()[0])
    mean = x.mean(axis=-1, keepdims=True)
    return {"value": ((x - mean) / np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + 1e-5)).astype(x.dtype)}


PREDICTIONS = {"upper_triangle": upper_triangle, "ascending_order": ascending_order,
               "unscaled_scores": unscaled_scores, "unbiased_variance": unbiased_variance}
