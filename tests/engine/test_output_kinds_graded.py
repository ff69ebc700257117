"""Issue 21 through the real sandbox: a small lesson (tests/output_kinds.py) whose exercises return masks,
integers, Python scalars, NamedTuples and tuples, a declared dtype, torch results with gradients through
non-scalar outputs and gradient flow; mistakes named by exception type and forbidden shortcuts."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from grader.authoring.release import record_expectations
from grader.core.model import ExerciseStatus, Report
from grader.course.expectations import load_predictions, save_expectations
from grader.engine.grading import GradeOptions, grade_source
from grader.render.json_report import report_dict
from output_kinds import REFERENCE, STUB, build_kinds_lesson

pytest.importorskip("torch")

WRONG = '''
from typing import NamedTuple
import numpy as np
import torch


class Attention(NamedTuple):
    weights: np.ndarray
    output: np.ndarray


def positive_mask(x):
    return x >= 0


def row_argmax(x):
    return np.argmax(x, axis=1).astype(float)


def count_positive(x):
    return float((x > 0).sum())


def mean_value(x):
    return np.mean(x, axis=0)


def attend(scores, values):
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    w = e / e.sum(axis=0, keepdims=True)
    return Attention(w, w @ values)


def extremes(x):
    return np.max(x), np.min(x)


def halve32(x):
    return x / 2


def square(x):
    return (x ** 2).detach()


def scaled_and_total(x):
    return 3 * x, x.sum()


def row_softmax(x):
    return torch.nn.functional.softmax(x, dim=1)
'''

OTHER_WRONG = '''
import numpy as np
import torch
from torch import softmax


def positive_mask(x):
    raise TypeError("bad list")


def row_argmax(x):
    return x[:, 7]


def count_positive(x):
    return (x > 0).sum(axis=1)


def mean_value(x):
    return np.float64(np.mean(x))


def attend(scores, values):
    return scores


def extremes(x):
    return [np.min(x), np.max(x), 0]


def halve32(x):
    return torch.tensor(x / 2, dtype=torch.bfloat16)


def square(x):
    return torch.tensor(x.detach() ** 2, requires_grad=True)


def scaled_and_total(x):
    return x + x.detach(), x.sum()


def row_softmax(x):
    return softmax(x, 1)
'''


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    return build_kinds_lesson(tmp_path_factory.mktemp("kinds"))


def _grade(lesson, source: str) -> Report:
    return grade_source("kinds.py", source.encode(), lesson, GradeOptions())


def _failures(report: Report) -> dict[str, list[tuple[str, str | None]]]:
    return {e.name: [(c.message, c.mistake) for c in e.checks if not c.passed] for e in report.exercises}


def test_the_reference_gets_full_marks_and_the_stub_zero(kinds):
    reference = _grade(kinds, REFERENCE)
    assert reference.score == reference.max_score == 12, _failures(reference)
    stub = _grade(kinds, STUB)
    assert stub.score == 0 and all(e.status is ExerciseStatus.NOT_IMPLEMENTED for e in stub.exercises)


def test_each_kind_of_wrong_output_says_what_is_wrong_and_names_the_mistake(kinds):
    failures = _failures(_grade(kinds, WRONG))
    assert failures["positive_mask"] == [(
        "a (2, 4) array with zeros: differs at 2 of 8 positions (first at index [0, 2]): expected False, got True"
        "\nLooks like x >= 0 instead of x > 0. Zero is not positive.", "non_negative")]
    assert failures["row_argmax"] == [("a (2, 4) array: returned float64 values, expected integers", None)]
    assert failures["count_positive"] == [("a (2, 4) array: returned float64 values, expected integers", None)]
    assert "expected a single number (shape ()), got shape (4,)" in failures["mean_value"][0][0]
    (attend, mistake), = failures["attend"]
    assert attend.startswith("(2, 3) scores over 3 values: weights: expected [[") and mistake == "column_softmax"
    (extremes, mistake), = failures["extremes"]
    assert extremes.startswith("a (2, 4) array: part 1: expected -2, got 3") and mistake == "swapped"
    assert failures["halve32"] == [("a (2, 4) array: returned float64 values, expected float32", None)]
    assert [m for _, m in failures["square"]] == ["detached", "detached"]
    assert all("does not require grad" in message for message, _ in failures["square"])
    assert failures["scaled_and_total"][0][0].startswith("a (2, 4) tensor: part 1: expected [[")
    assert failures["row_softmax"] == [(
        "a (2, 4) tensor: calls torch.nn.functional.softmax, which this exercise asks you to write yourself", None)]


def test_other_wrong_outputs_exception_types_and_a_shortcut_imported_by_name(kinds):
    report = _grade(kinds, OTHER_WRONG)
    failures = _failures(report)
    assert failures["positive_mask"][0][1] == "list_input"  # raises: TypeError
    assert failures["row_argmax"][0][1] == "wrong_axis"  # raises: IndexError and raises_like: out of bounds
    assert "expected 4, got [2, 2]" in failures["count_positive"][0][0]
    assert failures["mean_value"] == []  # a numpy scalar where a Python float is due
    assert failures["attend"] == [("(2, 3) scores over 3 values: returned a numpy.ndarray, expected a tuple of 2 "
                                   "(weights, output)", None)]
    assert failures["extremes"] == [("a (2, 4) array: returned a list of 3 parts, expected 2 (part 1, part 2)", None)]
    assert failures["halve32"] == [("a (2, 4) array: returned bfloat16 values, expected float32", None)]
    assert all("does not reach every tensor" in message and mistake == "detached" for message, mistake in failures["square"])
    assert failures["scaled_and_total"][0][0].startswith("a (2, 4) tensor: gradient of argument 1: expected [[")  # the stub takes *args
    assert failures["row_softmax"] == [(
        "a (2, 4) tensor: calls torch.softmax, which this exercise asks you to write yourself", None)]


def test_a_tuple_subclass_is_read_without_calling_its_methods(kinds):
    """A NamedTuple subclass whose field properties, __len__, __iter__ and __getitem__ raise, and whose _fields
    is a property that raises: the worker reads its parts with tuple's own methods, so it is graded by its
    values (here right) and the names come from the lesson."""
    tricky = REFERENCE + '''

class Sneaky(Attention):
    __slots__ = ()
    weights = property(lambda self: 1 / 0)
    _fields = property(lambda self: 1 / 0)

    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        raise RuntimeError("iter")

    def __getitem__(self, index):
        raise RuntimeError("getitem")


_attend = attend


def attend(scores, values):
    return Sneaky(*tuple.__iter__(_attend(scores, values)))
'''
    report = _grade(kinds, tricky)
    assert report.score == report.max_score, _failures(report)


def test_a_released_copy_grades_the_new_kinds_exactly_like_the_project(kinds, tmp_path):
    recorder, predictions = record_expectations(kinds)
    save_expectations(tmp_path, recorder, kinds.name, 2026, predictions, kinds.predictions)
    mistakes = [m for e in kinds.exercises for m in e.mistakes]
    released = dataclasses.replace(kinds, directory=tmp_path, predictions=load_predictions(tmp_path, mistakes))
    assert released.released
    for source in (REFERENCE, WRONG, OTHER_WRONG):
        project, copy = (report_dict(_grade(lesson, source)) for lesson in (kinds, released))
        for document in (project, copy):
            for exercise in document["exercises"]:
                exercise.pop("seconds", None)
        assert project == copy


def test_knock_on_naming_works_for_mask_and_integer_results(kinds):
    """count_positive fails only because it uses the student's own positive_mask, which fails its checks."""
    source = REFERENCE + '''

def positive_mask(x):
    return np.asarray(x) >= 0


def count_positive(x):
    return int(positive_mask(x).sum())
'''
    report = _grade(kinds, source)
    counted = next(e for e in report.exercises if e.name == "count_positive")
    assert counted.status is ExerciseStatus.FAILED and counted.calls_failing == ("positive_mask",)
    assert "It uses your positive_mask, which fails its own checks" in counted.checks[0].message


def test_one_tensor_where_a_tuple_with_per_part_gradients_is_due_is_told_so(kinds):
    """scaled_and_total backpropagates a gradient per part: a single tensor returned instead is a wrong result,
    never the worker's own failure to stack those gradients reported as the student's ValueError."""
    source = REFERENCE + "\n\ndef scaled_and_total(x):\n    return 2 * x\n"
    report = grade_source("kinds.py", source.encode(), kinds, GradeOptions(exercises=("scaled_and_total",)))
    (check,) = report.exercises[0].checks
    assert not check.passed
    assert check.message.endswith("returned a torch.Tensor, expected a tuple of 2 (part 1, part 2)"), check.message
