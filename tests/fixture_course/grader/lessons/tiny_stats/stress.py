"""The fixture lesson's stress classes."""
from __future__ import annotations

import numpy as np

from grader.core.checks import Case
from grader.course.stress import StressRegistry

STRESS = StressRegistry()


@STRESS.add("values far from zero (magnitude 8 or more)")
def far_from_zero(exercise: str, case: Case) -> bool:
    return bool((np.abs(np.asarray(case.args[0], dtype=float)) >= 8).any())
