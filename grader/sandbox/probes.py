"""Scalar functions handed to ``finite_difference_gradient``.

A check names a probe and its parameters; the worker builds the callable from that description,
so no code crosses the boundary. The trusted side builds the same callable for the reference.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

ScalarFunction = Callable[[np.ndarray], float]


def _cross_entropy(target_index: int) -> ScalarFunction:
    def loss(x: np.ndarray) -> float:
        z = np.asarray(x, dtype=float)
        m = np.max(z)
        return float(m + np.log(np.sum(np.exp(z - m))) - z[target_index])

    return loss


def _curved(weights: np.ndarray, scales: np.ndarray) -> ScalarFunction:
    """sum(w * sin(x) + s * x**3 / 3): curved enough that forward differences miss by ~eps."""

    def value(x: np.ndarray) -> float:
        z = np.asarray(x, dtype=float)
        return float(np.sum(weights * np.sin(z) + scales * z**3 / 3.0))

    return value


def build_probe(name: str, params: dict[str, Any]) -> ScalarFunction:
    if name == "cross_entropy":
        return _cross_entropy(int(params["target_index"]))
    if name == "curved":
        return _curved(np.asarray(params["weights"], float), np.asarray(params["scales"], float))
    raise ValueError(f"unknown probe {name!r}")
