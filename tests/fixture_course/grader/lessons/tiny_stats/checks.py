"""The fixture lesson's checks."""
from __future__ import annotations

from types import ModuleType

import numpy as np

from grader.core.checks import Case, CheckRegistry

CHECKS = CheckRegistry()
LESSON_NUMBERS = np.array([1.0, 2.0, 6.0])


@CHECKS.add("scale", points=1)
def lesson_scale(ref: ModuleType, rng: np.random.Generator) -> Case:
    return Case((LESSON_NUMBERS, 3.0), "the lesson's numbers [1, 2, 6] times 3", ref.scale(LESSON_NUMBERS, 3.0))


@CHECKS.add("scale", points=1, hidden=True)
def random_scale(ref: ModuleType, rng: np.random.Generator) -> Case:
    x = rng.normal(0, 5, size=4)
    return Case((x, -0.5), "four random numbers times -0.5", ref.scale(x, -0.5))


@CHECKS.add("center", points=2)
def lesson_center(ref: ModuleType, rng: np.random.Generator) -> Case:
    return Case((LESSON_NUMBERS,), "the lesson's numbers [1, 2, 6]", ref.center(LESSON_NUMBERS))


@CHECKS.add("center", points=1, hidden=True)
def random_center(ref: ModuleType, rng: np.random.Generator) -> Case:
    x = rng.normal(10, 3, size=6)
    return Case((x,), "six random numbers around 10", ref.center(x))
