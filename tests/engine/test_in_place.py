"""Exercises whose contract is to change an argument in place (``Case.expect_args``), through the real sandbox.

From an optimizers lesson written from the docs alone: ``clip_grad_norm`` clips a list of gradient arrays of
different shapes in place and returns their total norm (as torch.nn.utils.clip_grad_norm_ does), and
``train`` updates a leaf tensor in place under torch.no_grad(). Before expect_args, clipping each entry by value
and not clipping at all both kept full marks: only the returned norm could be checked.
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.authoring.release import record_expectations
from grader.core.checks import Case, CheckRegistry, Tensor, Tolerance, flat_outputs
from grader.core.model import Report
from grader.course.expectations import load_predictions, save_expectations
from grader.course.lesson import Lesson, parse_lesson
from grader.engine.grading import GradeOptions, grade_source
from grader.render.json_report import report_dict

pytest.importorskip("torch")

REFERENCE = '''
import math
import numpy as np


def clip_grad_norm(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    scale = min(1.0, max_norm / (total + 1e-6))
    for g in grads:
        g *= scale
    return total


def train(w, X, y, lr, steps):
    import torch
    for _ in range(steps):
        ((X @ w - y) ** 2).mean().backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
    return w
'''

STUB = "def clip_grad_norm(grads, max_norm):\n    raise NotImplementedError\n\n\n" \
       "def train(w, X, y, lr, steps):\n    raise NotImplementedError\n"

CLIP_BY_VALUE = '''
def clip_grad_norm(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    for g in grads:
        np.clip(g, -max_norm, max_norm, out=g)
    return total
'''

CLIPPED_COPY = '''
def clip_grad_norm(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    grads = [g * min(1.0, max_norm / (total + 1e-6)) for g in grads]
    return total
'''

NORM_AFTER = '''
def clip_grad_norm(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    for g in grads:
        g *= min(1.0, max_norm / (total + 1e-6))
    return min(total, max_norm)
'''

NEW_TENSOR = '''
def train(w, X, y, lr, steps):
    import torch
    w = w.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([w], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        ((X @ w - y) ** 2).mean().backward()
        optimizer.step()
    return w
'''

OPTIMIZER = '''
def train(w, X, y, lr, steps):
    import torch
    optimizer = torch.optim.SGD([w], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(X @ w, y).backward()
        optimizer.step()
    return w
'''

LESSON_YAML: dict[str, Any] = {
    "format_version": 1, "name": "inplace", "title": "In place", "student_file": "inplace.py",
    "exercises": [
        {"name": "clip_grad_norm", "hints": ["a", "b", "c"], "mistakes": {
            "clip_by_value": {"title": "clipping each entry by value", "hint": "Scale every array by one factor."},
            "norm_after": {"title": "the norm after clipping", "hint": "Return the norm before clipping."}}},
        {"name": "train", "hints": ["a", "b", "c"]},
    ],
}

GRADS = [np.array([[3.0, 0.0], [0.0, 0.0]]), np.array([4.0, 0.0, 0.0])]  # total norm 5, two shapes


def _norm(grads: list[np.ndarray]) -> float:
    return math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))


def _descend(w: np.ndarray, X: np.ndarray, y: np.ndarray, lr: float, steps: int) -> np.ndarray:
    for _ in range(steps):
        w = w - lr * 2.0 / len(y) * X.T @ (X @ w - y)
    return w


def _checks() -> CheckRegistry:
    checks = CheckRegistry()

    @checks.add("clip_grad_norm", points=1)
    def clip_two(ref: Any, rng: np.random.Generator) -> Case:
        clipped = [g.copy() for g in GRADS]
        total = ref.clip_grad_norm(clipped, 1.0)  # the reference clips ``clipped`` in place
        return Case(([g.copy() for g in GRADS], 1.0), "gradients of norm 5, max_norm 1", total,
                    expect_args={0: clipped})

    @checks.add("train", points=1)
    def three_steps(ref: Any, rng: np.random.Generator) -> Case:
        X, y, w = rng.normal(size=(6, 2)), rng.normal(size=6), rng.normal(size=2)
        after = _descend(w, X, y, 0.1, 3)
        return Case((Tensor(w, "float64", requires_grad=True), Tensor(X, "float64"), Tensor(y, "float64"), 0.1, 3),
                    "3 steps on 6 points", after, tolerance=Tolerance(1e-7, 1e-9), expect_args={0: after})

    return checks


def _predictions() -> dict[str, Any]:
    def clip_by_value(ref: Any, case: Case) -> dict[str, Any]:
        grads, max_norm = case.plain_args()
        return {"arg:0": [np.clip(g, -max_norm, max_norm) for g in grads]}

    def norm_after(ref: Any, case: Case) -> dict[str, Any]:
        grads, max_norm = case.plain_args()
        return {"value": min(_norm(grads), max_norm)}

    return {"clip_by_value": clip_by_value, "norm_after": norm_after}


@pytest.fixture(scope="module")
def lesson(tmp_path_factory: pytest.TempPathFactory) -> Lesson:
    root: Path = tmp_path_factory.mktemp("inplace")
    for folder, text in (("solutions", REFERENCE), ("exercises", STUB)):
        (root / folder).mkdir()
        (root / folder / "inplace.py").write_text(text)
    (root / "lesson" / "inplace").mkdir(parents=True)
    parsed = parse_lesson(LESSON_YAML, root / "lesson" / "inplace" / "lesson.yaml", _checks(), _predictions())
    return dataclasses.replace(parsed, root=root, directory=None)


def _grade(lesson: Lesson, source: str) -> Report:
    return grade_source("inplace.py", source.encode(), lesson, GradeOptions())


def _failure(report: Report, exercise: str) -> tuple[str, str | None]:
    [result] = [e for e in report.exercises if e.name == exercise]
    [check] = [c for c in result.checks if not c.passed]
    return check.message, check.mistake


def test_the_reference_that_works_in_place_gets_full_marks_and_so_does_torch_optim(lesson):
    for source in (REFERENCE, REFERENCE + OPTIMIZER):
        report = _grade(lesson, source)
        assert report.score == report.max_score == 2, [c.message for e in report.exercises for c in e.checks]
    assert _grade(lesson, STUB).score == 0


def test_clipping_by_value_keeps_the_right_norm_but_not_the_right_arrays_and_is_named(lesson):
    message, mistake = _failure(_grade(lesson, REFERENCE + CLIP_BY_VALUE), "clip_grad_norm")
    assert mistake == "clip_by_value"
    assert "grads[0] after the call: expected [[0.6, 0. ], [0. , 0. ]], got [[1., 0.], [0., 0.]]" in message


def test_a_clipped_copy_leaves_the_argument_as_it_was_and_says_so(lesson):
    message, mistake = _failure(_grade(lesson, REFERENCE + CLIPPED_COPY), "clip_grad_norm")
    assert mistake is None
    assert message.endswith("grads[0] after the call: left as it was: the function must change it in place "
                            "(not a copy of it)")


def test_a_wrong_return_value_is_still_judged_first_and_named(lesson):
    message, mistake = _failure(_grade(lesson, REFERENCE + NORM_AFTER), "clip_grad_norm")
    assert mistake == "norm_after" and "expected 5, got 1" in message


def test_a_torch_update_of_a_new_tensor_fails_where_the_leaf_argument_is_left_unchanged(lesson):
    message, _ = _failure(_grade(lesson, REFERENCE + NEW_TENSOR), "train")
    assert "w after the call: left as it was" in message


def test_a_released_copy_replays_the_references_changes_to_its_arguments(lesson, tmp_path):
    recorder, predictions = record_expectations(lesson)
    save_expectations(tmp_path, recorder, lesson.name, 2026, predictions, lesson.predictions)
    mistakes = [m for e in lesson.exercises for m in e.mistakes]
    released = dataclasses.replace(lesson, directory=tmp_path, predictions=load_predictions(tmp_path, mistakes))
    clipped = [g.copy() for g in GRADS]
    assert released.reference.clip_grad_norm(clipped, 1.0) == pytest.approx(5.0, abs=1e-5)
    np.testing.assert_allclose(clipped[0], GRADS[0] * (1.0 / (5.0 + 1e-6)))
    for source in (REFERENCE, REFERENCE + CLIP_BY_VALUE, REFERENCE + CLIPPED_COPY, REFERENCE + NEW_TENSOR):
        project, copy = (report_dict(_grade(each, source)) for each in (lesson, released))
        for document in (project, copy):
            for exercise in document["exercises"]:
                exercise.pop("seconds", None)
        assert project == copy


def test_expect_args_must_name_an_argument_and_hold_comparable_arrays():
    with pytest.raises(ValueError, match="expect_args: 2 is not the index of one of the 2 arguments"):
        Case((GRADS, 1.0), "x", 5.0, expect_args={2: GRADS})
    with pytest.raises(ValueError, match=r"expect_args\[0\]: a list of 1 to 32 arrays, not 0"):
        Case((GRADS, 1.0), "x", 5.0, expect_args={0: []})
    with pytest.raises(ValueError, match=r"expect_args\[0\]: a list of arrays for a list argument, one array for"):
        Case((GRADS, 1.0), "x", 5.0, expect_args={0: GRADS[0]})
    case = Case((GRADS, 1.0), "x", 5.0, expect_args={0: GRADS})
    assert case.call("c")["return_args"] == [0] and case.call("c")["arg_parts"] == [0]
    assert list(case.arg_outputs()) == ["arg:0.0", "arg:0.1"]
    assert list(flat_outputs({"arg:0": [np.zeros(1), np.zeros(2)]})) == ["arg:0.0", "arg:0.1"]
    plain, _ = case.plain_args()  # writable copies: a prediction may work in place as the function does
    plain[0] *= 0.0
    assert plain[0] is not GRADS[0] and GRADS[0][0, 0] == 3.0


def test_an_expected_result_of_arrays_of_different_shapes_is_refused_when_the_case_is_built():
    """It used to build, and then even the reference lost the points: 'returned a tuple that is not an array'."""
    with pytest.raises(ValueError, match="Case expect part 1: a tuple of arrays of different shapes is not one array"):
        Case((GRADS, 1.0), "x", (tuple(GRADS), 5.0))
    with pytest.raises(ValueError, match="Case expect: a list of arrays of different shapes"):
        Case((GRADS, 1.0), "x", GRADS)
    with pytest.raises(ValueError, match="Case expect: a dict is not numbers the grader can compare"):
        Case((GRADS, 1.0), "x", {"norm": 5.0})
    Case((GRADS, 1.0), "x", (GRADS[0], GRADS[1]))  # a tuple whose parts are the arrays is fine
    Case((GRADS, 1.0), "x", [GRADS[1], GRADS[1]])  # a list of arrays of one shape is one array


def test_unchanged_works_on_a_list_argument_of_arrays_of_different_shapes(lesson):
    """Sent back as one array, such a list could not be read: even the reference lost the points."""
    checks = CheckRegistry()

    @checks.add("clip_grad_norm", points=1)
    def norm_only(ref: Any, rng: np.random.Generator) -> Case:
        grads = [g * 0.1 for g in GRADS]  # norm 0.5: within max_norm, so nothing is clipped
        return Case((grads, 1.0), "gradients within max_norm", ref.clip_grad_norm([g.copy() for g in grads], 1.0),
                    unchanged={0: "clip_by_value"})

    exercise = dataclasses.replace(lesson.exercises[0], checks=checks.for_exercise("clip_grad_norm"))
    leave_alone = dataclasses.replace(lesson, exercises=(exercise,))
    assert _grade(leave_alone, REFERENCE).score == 1
    message, mistake = _failure(_grade(leave_alone, REFERENCE + '''
def clip_grad_norm(grads, max_norm):
    grads[1] += 1.0
    return 0.5
'''), "clip_grad_norm")
    assert mistake == "clip_by_value" and "the call changed the input array in place: 3 of 3 entries differ" in message


def test_unchanged_on_a_tensor_argument_compares_its_numbers(lesson):
    """A tensor the function must not touch: compared by its numbers (the Tensor's data), not as an object."""
    checks = CheckRegistry()

    @checks.add("train", points=1)
    def zero_steps(ref: Any, rng: np.random.Generator) -> Case:
        X, y, w = np.eye(2), np.ones(2), np.array([0.5, -0.5])
        return Case((Tensor(w, "float64", requires_grad=True), Tensor(X, "float64"), Tensor(y, "float64"), 0.1, 0),
                    "no steps at all", w, unchanged={0: None})

    exercise = dataclasses.replace(lesson.exercises[1], checks=checks.for_exercise("train"))
    leave_alone = dataclasses.replace(lesson, exercises=(exercise,))
    assert _grade(leave_alone, REFERENCE).score == 1
    message, _ = _failure(_grade(leave_alone, REFERENCE + '''
def train(w, X, y, lr, steps):
    import torch
    with torch.no_grad():
        w += 1.0
    return w - 1.0
'''), "train")
    assert "the call changed the input array in place: 2 of 2 entries differ, by up to 1" in message


def test_a_list_argument_grown_or_spoiled_in_the_call_is_one_clear_line(lesson):
    for body, said in (("grads.extend([np.zeros(1)] * 40)", "argument 1 after the call: holds 42 parts, more than "
                                                             "the 32 allowed"),
                       ("grads[1] = 'clipped'", "argument 1 after the call: returned a str, not numbers")):
        message, mistake = _failure(_grade(lesson, REFERENCE + f'''
def clip_grad_norm(grads, max_norm):
    {body}
    return 5.0
'''), "clip_grad_norm")
        assert message.endswith(said) and mistake is None
