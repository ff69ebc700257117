"""The lesson's stress classes: what makes softmax and cross-entropy code fail, as predicates on a case.

Every exercise's hidden checks must put a case in each class, or lesson.yaml says why the class does
not apply to it (``not_stressed``); ``grade validate`` prints the matrix. The predicates read a case's
arguments the way the exercises lay them out: the logits (or x) are the first float array or tensor,
the targets the integer argument after it, the classes along ``axis`` (the last axis by default).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from grader.core.checks import Case, Tensor
from grader.course.stress import StressRegistry

STRESS = StressRegistry()
FLOAT64_UNDERFLOW_GAP = 1000.0  # exp(-1000) is 0.0 in float64 (the smallest is ~exp(-745))
FLOAT32_UNDERFLOW_GAP = 200.0  # ... and exp(-200) is 0.0 in float32 (~exp(-104))
OVERFLOW = 710.0  # exp(710) is inf in float64 (and exp(89) in float32)
MIXED_SCALE = 1000.0  # row maxima this far apart: one global max underflows a whole row


def _array(value: Any) -> tuple[np.ndarray, str] | None:
    if isinstance(value, Tensor):
        return np.asarray(value.data), value.dtype
    if isinstance(value, np.ndarray):
        return value, str(value.dtype)
    return None


def _logits_position(case: Case) -> int:
    for position, value in enumerate(case.args):
        found = _array(value)
        if found is not None and found[0].dtype.kind == "f":
            return position
    raise ValueError("no float array among the arguments")


def _logits(exercise: str, case: Case) -> tuple[np.ndarray, str]:
    """The logits (or x), divided by the temperature where there is one, with the classes on the last axis."""
    position = _logits_position(case)
    array, dtype = _array(case.args[position])  # type: ignore[misc]
    z = np.asarray(array, dtype=float)
    if exercise == "softmax_with_temperature" and len(case.args) > 1 and not case.raises:
        z = z / float(case.args[1])
    axis = int(case.kwargs.get("axis", -1))
    return (np.moveaxis(z, axis, -1) if z.ndim else z), dtype


def _targets(case: Case) -> np.ndarray:
    """The target class ids, one per row of the logits (flattened)."""
    value = case.args[_logits_position(case) + 1]
    found = _array(value)
    targets = np.asarray(found[0] if found else value)
    if targets.dtype.kind not in "iu":
        raise TypeError("no integer targets")
    return targets.reshape(-1)


def _rows(z: np.ndarray) -> np.ndarray:
    return z.reshape(-1, z.shape[-1]) if z.ndim else z.reshape(1, 1)


@STRESS.add("a probability that underflows: a logit 1000+ below its slice's max (200+ in float32), the target's "
            "where there is one")
def probability_underflows(exercise: str, case: Case) -> bool:
    z, dtype = _logits(exercise, case)
    rows = _rows(z)
    gap = FLOAT32_UNDERFLOW_GAP if dtype == "float32" else FLOAT64_UNDERFLOW_GAP
    try:
        targets = _targets(case)
    except (IndexError, TypeError, ValueError):
        return bool((rows.max(axis=1, keepdims=True) - rows >= gap).any())
    picked = rows[np.arange(rows.shape[0]), targets]
    return bool((rows.max(axis=1) - picked >= gap).any())


@STRESS.add("overflow: logits of magnitude 710 or more (exp overflows)")
def overflow(exercise: str, case: Case) -> bool:
    return bool((np.abs(_logits(exercise, case)[0]) >= OVERFLOW).any())


@STRESS.add("rows of very different scale in one batch: row maxima 1000+ apart")
def mixed_scale(exercise: str, case: Case) -> bool:
    rows = _rows(_logits(exercise, case)[0])
    maxima = rows.max(axis=1)
    return rows.shape[0] > 1 and float(maxima.max() - maxima.min()) >= MIXED_SCALE


@STRESS.add("1-D input: a single example")
def one_dimensional(exercise: str, case: Case) -> bool:
    return _logits(exercise, case)[0].ndim == 1


@STRESS.add("3-D input or more")
def three_dimensional(exercise: str, case: Case) -> bool:
    return _logits(exercise, case)[0].ndim >= 3


@STRESS.add("an axis other than the last")
def other_axis(exercise: str, case: Case) -> bool:
    array, _ = _array(case.args[_logits_position(case)])  # type: ignore[misc]
    return "axis" in case.kwargs and array.ndim > 1 and int(case.kwargs["axis"]) % array.ndim != array.ndim - 1


@STRESS.add("a batch of one: N = 1, T = 1 or B = 1")
def batch_of_one(exercise: str, case: Case) -> bool:
    z, _ = _logits(exercise, case)
    return z.ndim >= 2 and 1 in z.shape[:-1]


@STRESS.add("as many rows as classes: T == V, N == C")
def as_many_rows_as_classes(exercise: str, case: Case) -> bool:
    z, _ = _logits(exercise, case)
    return z.ndim >= 2 and z.shape[-2] == z.shape[-1]


@STRESS.add("an input type the docstring allows besides the usual one: an int temperature, int32 targets, "
            "an np.int64 target index, float64 tensors")
def other_input_types(exercise: str, case: Case) -> bool:
    if exercise == "softmax_with_temperature" and not case.raises:
        return isinstance(case.args[1], (int, np.integer)) and not isinstance(case.args[1], bool)
    logits = case.args[_logits_position(case)]
    if isinstance(logits, Tensor) and logits.dtype == "float64":
        return True
    targets = case.args[_logits_position(case) + 1]
    if isinstance(targets, np.integer) and not isinstance(targets, np.bool_):
        return True  # one example's target as a NumPy integer (np.int64), not a Python int
    return (isinstance(targets, Tensor) and targets.dtype == "int32") or \
        (isinstance(targets, np.ndarray) and targets.dtype == np.int32)


@STRESS.add("the caller's input checked unchanged after the call")
def input_unchanged(exercise: str, case: Case) -> bool:
    return bool(case.unchanged)


@STRESS.add("an exception the docstring promises, checked by type")
def promised_exception(exercise: str, case: Case) -> bool:
    return case.raises is not None


@STRESS.add("a single class (V = 1)")
def one_class(exercise: str, case: Case) -> bool:
    z, _ = _logits(exercise, case)
    return z.ndim >= 1 and z.shape[-1] == 1


@STRESS.add("equal logits in a slice")
def equal_logits(exercise: str, case: Case) -> bool:
    rows = _rows(_logits(exercise, case)[0])
    return rows.shape[1] > 1 and bool((rows == rows[:, :1]).all(axis=1).any())


@STRESS.add("a target at class 0")
def target_first_class(exercise: str, case: Case) -> bool:
    return bool((_targets(case) == 0).any())


@STRESS.add("a target at the last class")
def target_last_class(exercise: str, case: Case) -> bool:
    z, _ = _logits(exercise, case)
    return bool((_targets(case) == z.shape[-1] - 1).any())
