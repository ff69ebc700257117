"""What the fixture lesson's known mistake returns."""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from grader.core.checks import Case


def subtract_min(ref: ModuleType, case: Case) -> dict[str, Any]:
    x = np.asarray(case.plain_args()[0], dtype=float)
    return {"value": x - x.min()}


PREDICTIONS = {"subtract_min": subtract_min}
