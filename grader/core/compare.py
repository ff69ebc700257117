"""Comparing what a worker returned with what was expected, on the trusted side only.

Inputs here are plain arrays decoded by ``sandbox.protocol``; nothing of the student's code runs.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.core.checks import Tolerance

MAX_SHOWN_CHARS = 160
# Numbers formatted for one rendering, at most. numpy summarizes a large array by the first and last 3
# entries of each axis, which bounds nothing when every axis is short: a (2,) * 22 array from a
# submission is 4 million numbers, ~30 s of the grader's CPU per message. Only the leading corner fits
# in MAX_SHOWN_CHARS anyway.
MAX_FORMATTED = 1000


def _bounded(array: np.ndarray) -> tuple[np.ndarray, bool]:
    """The array, or its leading corner when formatting it whole would cost more than MAX_FORMATTED
    numbers; and whether it was cut."""
    printed = array.size
    if printed > MAX_FORMATTED:  # numpy's own summary: up to 6 entries per axis
        printed = 1
        for n in array.shape:
            printed *= min(n, 6)
    if printed <= MAX_FORMATTED:
        return array, False
    keep, room = [], MAX_FORMATTED
    for n in reversed(array.shape):
        k = max(1, min(n, room))
        keep.append(k)
        room //= k
    return array[tuple(slice(0, k) for k in reversed(keep))], True


def show(value: Any, digits: int = 4) -> str:
    """A short, readable rendering of an array or number for feedback."""
    array = np.asarray(value)
    array, cut = _bounded(array)
    if array.ndim == 0:
        return f"{array.item():.{digits + 2}g}" if array.dtype.kind == "f" else str(array.item())
    text = np.array2string(array, precision=digits, suppress_small=True, separator=", ", max_line_width=10_000)
    text = " ".join(text.split()) + (" ..." if cut else "")
    return text if len(text) <= MAX_SHOWN_CHARS else text[: MAX_SHOWN_CHARS - 3] + "..."


def show_pair(expected: Any, got: Any) -> tuple[str, str]:
    """Both values with just enough digits for the difference to show."""
    for digits in (4, 6, 8, 10, 12):
        pair = show(expected, digits), show(got, digits)
        if pair[0] != pair[1]:
            break
    return pair


def describe_shape(shape: tuple[int, ...]) -> str:
    return "a single number (shape ())" if shape == () else f"shape {shape}"


def plain(value: Any) -> Any:
    """Python numbers in place of numpy ones, so text never reads ``np.int64(2)``."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def index_text(index: Any) -> str:
    """An array position as a student writes it: ``2`` for 1-D, ``[2, 1]`` otherwise."""
    position = plain(index)
    if isinstance(position, list) and len(position) == 1:
        position = position[0]
    return str(position)


def _where(mask: np.ndarray) -> str:
    count = int(mask.sum())
    if mask.ndim == 0:
        return ""
    return f" at {count} of {mask.size} positions (first at index {index_text(np.argwhere(mask)[0])})"


@dataclass(frozen=True)
class Comparison:
    ok: bool
    problem: str = ""
    says_values: bool = False  # the problem already says what was expected and what came back


def expected_kind(expected: Any) -> str:
    """How a result is compared: "bool" and "int" exactly, "float" within a tolerance."""
    kind = np.asarray(expected).dtype.kind
    return "bool" if kind == "b" else "int" if kind in "iu" else "float"


_KIND_WORDS = {"bool": "booleans (a mask)", "int": "integers"}


def compare_output(got: np.ndarray, expected: Any, tolerance: Tolerance, hidden: bool = False,
                   dtype: str | None = None, got_dtype: str | None = None) -> Comparison:
    """Any result against its expected value: booleans and integers exactly, floats within the tolerance;
    ``dtype`` (declared) must be the result's (``got_dtype``: what the worker says a torch result was, where
    the array cannot say, as for bfloat16)."""
    # The worker's claim counts only where the array cannot say: bfloat16 travels as float32. Anything else is the
    # array's own dtype, so a forged "float32" beside a float64 array is float64.
    got_dtype = got_dtype if got_dtype == "bfloat16" and got.dtype == np.float32 else None
    got_name = got_dtype or got.dtype.name
    kind = expected_kind(expected)
    if kind != "float":
        wanted = "b" if kind == "bool" else "iu"
        if got.dtype.kind not in wanted or got_dtype == "bfloat16":
            return Comparison(False, f"returned {got_name} values, expected {_KIND_WORDS[kind]}", True)
    if dtype is not None and got_name != dtype:
        return Comparison(False, f"returned {got_name} values, expected {dtype}", True)
    if kind == "float":
        return compare(got, expected, tolerance, hidden)
    return compare_exact(got, np.asarray(expected), hidden)


def compare_exact(got: np.ndarray, expected: np.ndarray, hidden: bool = False) -> Comparison:
    """Booleans or integers, entry for entry; the problem says which entries differ."""
    if got.shape != expected.shape:
        return Comparison(False, f"expected {describe_shape(expected.shape)}, got {describe_shape(got.shape)}")
    differs = got != expected
    if not differs.any():
        return Comparison(True)
    if got.ndim == 0:
        if hidden:
            return Comparison(False, "the right shape, but not the right value", True)
        return Comparison(False, f"expected {plain(expected.item())}, got {plain(got.item())}", True)
    first = tuple(np.argwhere(differs)[0])
    where = f"differs at {int(differs.sum())} of {differs.size} positions"
    if hidden:
        return Comparison(False, f"the right shape, but not the right values: {where}", True)
    return Comparison(False, f"{where} (first at index {index_text(first)}): "
                             f"expected {plain(expected[first])}, got {plain(got[first])}", True)


def compare(got: np.ndarray, expected: Any, tolerance: Tolerance, hidden: bool = False) -> Comparison:
    """Is ``got`` the expected value? A hidden check's problem never tells how far off the values are."""
    expected = np.asarray(expected, dtype=float)
    if got.dtype.kind not in "iuf":
        return Comparison(False, f"returned values of dtype {got.dtype}, expected floating-point numbers")
    if got.shape != expected.shape:
        return Comparison(False, f"expected {describe_shape(expected.shape)}, got {describe_shape(got.shape)}")
    got = got.astype(float)
    problems = []
    for label, mask in (("NaN", np.isnan(got)), ("inf", np.isinf(got))):
        if mask.any() and not np.isnan(expected)[mask].all():
            problems.append(f"{label}{_where(mask)}")
    if problems:
        return Comparison(False, "returned " + " and ".join(problems))
    close = np.isclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
    if close.all():
        return Comparison(True)
    if hidden:
        return Comparison(False, f"the right shape and finite, but not the right values (tolerance {tolerance.describe()})")
    error = np.abs(got - expected)
    worst = np.unravel_index(int(np.nanargmax(np.where(close, -np.inf, error))), error.shape) if error.ndim else ()
    position = "" if not worst else f" at index {index_text(worst)}"
    return Comparison(
        False,
        f"max abs error {float(error[worst]):.3g}{position} (tolerance {tolerance.describe()})",
    )


def matches(got: np.ndarray, predicted: Any, tolerance: Tolerance) -> bool:
    """Does an output look like a known mistake's output: same shape, same NaN/inf, close values?

    Close relative to the size of the values: the absolute part of the tolerance shrinks with them, so
    outputs near zero (1e-10 where 1 was due) match a prediction only if they agree in their own digits.
    """
    if expected_kind(predicted) != "float":
        predicted = np.asarray(predicted)
        alike = "b" if predicted.dtype.kind == "b" else "iu"
        return got.dtype.kind in alike and got.shape == predicted.shape and bool(np.array_equal(got, predicted))
    predicted = np.asarray(predicted, dtype=float)
    if got.dtype.kind not in "iuf" or got.shape != predicted.shape:
        return False
    got = got.astype(float)
    rtol = 10 * tolerance.rtol
    atol = min(10 * tolerance.atol, 1e-3 * _scale(got, predicted))
    return bool(np.isclose(got, predicted, rtol=rtol, atol=atol, equal_nan=True).all())


def closer_to_prediction(got: np.ndarray, predicted: Any, expected: Any) -> tuple[bool, bool]:
    """Is the output at least as close to the prediction as to the right answer, and strictly closer?

    Booleans and integers are as close as the number of entries that agree."""
    exact = expected_kind(expected) != "float"
    got, predicted, expected = (np.asarray(a) if exact else np.asarray(a, dtype=float) for a in (got, predicted, expected))
    if not got.shape == predicted.shape == expected.shape:
        return True, True
    if exact:
        to_prediction, to_expected = int((got != predicted).sum()), int((got != expected).sum())
    else:
        to_prediction, to_expected = _distance(got, predicted), _distance(got, expected)
    return to_prediction <= to_expected, to_prediction < to_expected


def _scale(*arrays: np.ndarray) -> float:
    finite = [np.abs(a[np.isfinite(a)]) for a in arrays]
    return max((float(f.max()) for f in finite if f.size), default=0.0)


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    """The largest entry-wise difference; inf where one has NaN or inf that the other does not share."""
    with np.errstate(all="ignore"):
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        difference = np.where(same, 0.0, np.abs(a - b))
    difference = np.where(np.isnan(difference), np.inf, difference)
    return float(difference.max()) if difference.size else 0.0
