"""A small lesson built in a temporary folder whose exercises return every kind of output issue 21 names:
a mask, integers, Python scalars, a NamedTuple, a plain tuple, a declared dtype, a torch gradient through a
non-scalar result, gradient flow, a mistake named by its exception type and a forbidden shortcut."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from grader.core.checks import Case, CheckRegistry, Tensor
from grader.course.lesson import Lesson, parse_lesson

REFERENCE = '''
from typing import NamedTuple
import numpy as np


class Attention(NamedTuple):
    weights: np.ndarray
    output: np.ndarray


def positive_mask(x):
    return np.asarray(x) > 0


def row_argmax(x):
    return np.argmax(x, axis=1)


def count_positive(x):
    return int((np.asarray(x) > 0).sum())


def mean_value(x):
    return float(np.mean(x))


def attend(scores, values):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights = e / e.sum(axis=1, keepdims=True)
    return Attention(weights, weights @ values)


def extremes(x):
    return np.min(x), np.max(x)


def halve32(x):
    return (np.asarray(x) / 2).astype(np.float32)


def square(x):
    return x ** 2


def scaled_and_total(x):
    return 2 * x, x.sum()


def row_softmax(x):
    import torch
    e = torch.exp(x - x.max(dim=1, keepdim=True).values)
    return e / e.sum(dim=1, keepdim=True)
'''

STUB = "\n".join(
    f"def {name}(*args):\n    raise NotImplementedError\n"
    for name in ("positive_mask", "row_argmax", "count_positive", "mean_value", "attend", "extremes", "halve32",
                 "square", "scaled_and_total", "row_softmax"))

LESSON_YAML: dict[str, Any] = {
    "format_version": 1, "name": "kinds", "title": "Every kind of output", "student_file": "kinds.py",
    "exercises": [
        {"name": "positive_mask", "hints": ["a", "b", "c"], "mistakes": {
            "non_negative": {"title": "x >= 0 instead of x > 0", "hint": "Zero is not positive."},
            "list_input": {"title": "a list taken for an array", "hint": "Use np.asarray.", "raises": "TypeError"}}},
        {"name": "row_argmax", "hints": ["a", "b", "c"], "mistakes": {
            "wrong_axis": {"title": "the argmax over the wrong axis", "hint": "axis=1.", "raises": "IndexError",
                           "raises_like": "out of bounds"}}},
        {"name": "count_positive", "hints": ["a", "b", "c"]},
        {"name": "mean_value", "hints": ["a", "b", "c"]},
        {"name": "attend", "hints": ["a", "b", "c"], "mistakes": {
            "column_softmax": {"title": "the softmax over columns", "hint": "Normalise each row."}}},
        {"name": "extremes", "hints": ["a", "b", "c"], "mistakes": {
            "swapped": {"title": "max and min swapped", "hint": "The minimum comes first."}}},
        {"name": "halve32", "hints": ["a", "b", "c"]},
        {"name": "square", "hints": ["a", "b", "c"], "mistakes": {
            "detached": {"title": "a detached result", "hint": "Keep the graph."}}},
        {"name": "scaled_and_total", "hints": ["a", "b", "c"]},
        {"name": "row_softmax", "hints": ["a", "b", "c"],
         "forbidden": ["torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax"]},
    ],
}

X = np.array([[1.0, -2.0, 0.0, 3.0], [0.5, 0.0, -1.0, 2.0]])
SCORES = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
VALUES = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 2.0]])
GRAD_OUT = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 0.0, 1.0]])


def _softmax(z: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _checks() -> CheckRegistry:
    checks = CheckRegistry()

    @checks.add("positive_mask", points=1)
    def mask_of_x(ref: Any, rng: np.random.Generator) -> Case:
        return Case((X,), "a (2, 4) array with zeros", ref.positive_mask(X), dtype="bool")

    @checks.add("row_argmax", points=1)
    def argmax_of_x(ref: Any, rng: np.random.Generator) -> Case:
        return Case((X,), "a (2, 4) array", ref.row_argmax(X))

    @checks.add("count_positive", points=1)
    def count_of_x(ref: Any, rng: np.random.Generator) -> Case:
        return Case((X,), "a (2, 4) array", ref.count_positive(X))

    @checks.add("mean_value", points=1)
    def mean_of_x(ref: Any, rng: np.random.Generator) -> Case:
        return Case((X,), "a (2, 4) array", ref.mean_value(X))

    @checks.add("attend", points=2)
    def attend_scores(ref: Any, rng: np.random.Generator) -> Case:
        return Case((SCORES, VALUES), "(2, 3) scores over 3 values", ref.attend(SCORES, VALUES))

    @checks.add("extremes", points=1)
    def extremes_of_x(ref: Any, rng: np.random.Generator) -> Case:
        return Case((X,), "a (2, 4) array", ref.extremes(X))

    @checks.add("halve32", points=1)
    def halve_x(ref: Any, rng: np.random.Generator) -> Case:
        return Case((X,), "a (2, 4) array", ref.halve32(X), dtype="float32", tolerance=_loose())

    @checks.add("square", points=1)
    def square_grad(ref: Any, rng: np.random.Generator) -> Case:
        return Case((Tensor(X, "float64", requires_grad=True),), "a (2, 4) tensor", X ** 2, grad_output=GRAD_OUT,
                    expect_grad={0: 2 * X * GRAD_OUT}, detached="detached")

    @checks.add("square", points=1)
    def square_flows(ref: Any, rng: np.random.Generator) -> Case:
        return Case((Tensor(X, "float64", requires_grad=True),), "a (2, 4) tensor (gradient flow)", X ** 2,
                    grad_flows=True, detached="detached")

    @checks.add("scaled_and_total", points=1)
    def scaled_pair(ref: Any, rng: np.random.Generator) -> Case:
        return Case((Tensor(X, "float64", requires_grad=True),), "a (2, 4) tensor", (2 * X, X.sum()),
                    grad_output=(GRAD_OUT, 3.0), expect_grad={0: 2 * GRAD_OUT + 3.0})

    @checks.add("row_softmax", points=1)
    def softmax_rows(ref: Any, rng: np.random.Generator) -> Case:
        return Case((Tensor(X, "float64", requires_grad=True),), "a (2, 4) tensor", _softmax(X, 1))

    return checks


def _loose() -> Any:
    from grader.core.checks import Tolerance
    return Tolerance(rtol=1e-6, atol=1e-6)


def _predictions() -> dict[str, Any]:
    def non_negative(ref: Any, case: Case) -> dict[str, Any]:
        return {"value": np.asarray(case.plain_args()[0]) >= 0}

    def column_softmax(ref: Any, case: Case) -> dict[str, Any]:
        scores, values = case.plain_args()
        weights = _softmax(scores, 0)
        return {"value": (weights, weights @ values)}

    def swapped(ref: Any, case: Case) -> dict[str, Any]:
        x = case.plain_args()[0]
        return {"value": (np.max(x), np.min(x))}

    return {"non_negative": non_negative, "column_softmax": column_softmax, "swapped": swapped}


def build_kinds_lesson(root: Path) -> Lesson:
    """The lesson, its reference in ``root/solutions/kinds.py``; the stub in ``root/exercises/kinds.py``."""
    for folder, text in (("solutions", REFERENCE), ("exercises", STUB)):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / "kinds.py").write_text(text)
    (root / "lesson" / "kinds").mkdir(parents=True, exist_ok=True)
    lesson = parse_lesson(LESSON_YAML, root / "lesson" / "kinds" / "lesson.yaml", _checks(), _predictions())
    import dataclasses
    return dataclasses.replace(lesson, root=root, directory=None)
