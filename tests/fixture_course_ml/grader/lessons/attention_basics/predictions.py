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


def unbiased_variance(ref: ModuleType, case: Case) -> dict[str, Any]:
    x = np.asarray(case.plain_args()[0])
    mean = x.mean(axis=-1, keepdims=True)
    return {"value": ((x - mean) / np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + 1e-5)).astype(x.dtype)}


PREDICTIONS = {"upper_triangle": upper_triangle, "ascending_order": ascending_order,
               "unbiased_variance": unbiased_variance}
