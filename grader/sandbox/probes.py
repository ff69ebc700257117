"""Scalar functions handed to ``finite_difference_gradient``.

A check names a probe and its parameters; the worker builds the callable from that description,
so no code crosses the boundary. The trusted side builds the same callable for the reference.
"""
from __future__ import annotations

from typing import Callable, TypedDict

import numpy as np

ScalarFunction = Callable[[np.ndarray], float]


def _cross_entropy(target_index: int, center: np.ndarray | None = None) -> ScalarFunction:
    """The loss at one target; with ``center``, defined only near that point (see ``build_probe``)."""
    around = None if center is None else np.array(center, dtype=float, copy=True)

    def loss(x: np.ndarray) -> float:
        z = np.asarray(x, dtype=float)
        if around is not None and z.shape != around.shape:
            raise ValueError(f"f takes the whole array, of shape {around.shape}, not {z.shape}")
        if around is not None and not np.all(np.abs(z - around) <= NEAR):
            raise ValueError("this function may only be evaluated near the point being differentiated")
        m = np.max(z)
        return float(m + np.log(np.sum(np.exp(z - m))) - z[target_index])

    return loss


def _curved(weights: np.ndarray, scales: np.ndarray) -> ScalarFunction:
    """sum(w * sin(x) + s * x**3 / 3): curved enough that forward differences miss by ~eps."""

    def value(x: np.ndarray) -> float:
        z = np.asarray(x, dtype=float)
        if z.shape != weights.shape:  # defined on its own shape only: it broadcasts to nothing else
            raise ValueError(f"f takes the whole array, of shape {weights.shape}, not {z.shape}")
        return float(np.sum(weights * np.sin(z) + scales * z**3 / 3.0))

    return value


class ProbeParams(TypedDict, total=False):
    """A probe's parameters as they come with the job: each probe reads its own."""

    target_index: int  # cross_entropy
    weights: np.ndarray  # curved
    scales: np.ndarray  # curved


def build_probe(name: str, params: ProbeParams, center: np.ndarray | None = None) -> ScalarFunction:
    """The probe ``name``. Handed to student code, a loss gets the ``center`` it is differentiated at and
    refuses points farther than NEAR from it: enough for any finite difference, useless as a stand-in
    for the loss elsewhere (a probe must not solve another exercise)."""
    if name == "cross_entropy":
        return _cross_entropy(int(params["target_index"]), center)
    if name == "curved":
        return _curved(np.asarray(params["weights"], float), np.asarray(params["scales"], float))
    raise ValueError(f"unknown probe {name!r}")


NEAR = 0.5  # how far from its point a loss handed to student code may be evaluated, in any coordinate


def seal() -> None:
    """Remove the builders from this process once a job's probes are built: it is a forked worker
    about to import student code, which must not make probes of its own."""
    for name in ("build_probe", "_cross_entropy", "_curved"):
        globals().pop(name, None)
