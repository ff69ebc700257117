"""The stress classes of the attention-basics fixture lesson."""
from __future__ import annotations

import numpy as np

from grader.core.checks import Case, Tensor
from grader.course.stress import StressRegistry

STRESS = StressRegistry()
ATTENTION = ("attention", "torch_attention")


def _arrays(case: Case) -> list[np.ndarray]:
    """The case's array arguments (a Tensor's data), in order."""
    values = [a.data if isinstance(a, Tensor) else a for a in (*case.args, *case.kwargs.values())]
    return [np.asarray(v) for v in values if isinstance(v, np.ndarray)]


def _rows(exercise: str, case: Case) -> np.ndarray:
    """What each row of the exercise's work is over: the scores q.k / sqrt(d) for attention, else the first array."""
    arrays = _arrays(case)
    if exercise in ATTENTION:
        q, k = arrays[0], arrays[1]
        return q @ k.T / np.sqrt(q.shape[-1])
    return np.atleast_2d(arrays[0])


@STRESS.add("a single row (one position, one query, a batch of one)")
def single_row(exercise: str, case: Case) -> bool:
    if exercise == "causal_mask":
        return case.args[0] == 1
    return _rows(exercise, case).shape[0] == 1


@STRESS.add("an entry (or an attention score) of magnitude 100 or more")
def large_values(exercise: str, case: Case) -> bool:
    return exercise != "causal_mask" and bool((np.abs(_rows(exercise, case)) >= 100).any())


@STRESS.add("a row with two equal entries (or equal attention scores)")
def ties(exercise: str, case: Case) -> bool:
    if exercise == "causal_mask":
        return False
    rows = _rows(exercise, case).reshape(-1, _rows(exercise, case).shape[-1])
    return any(len(np.unique(row)) < len(row) for row in rows)
