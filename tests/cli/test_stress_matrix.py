"""The stress matrix: every exercise's hidden checks put a case in every stress class of its lesson, or
lesson.yaml says why the class does not apply; ``grade validate`` prints it and fails on an empty cell."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from grader.cli.app import main
from grader.authoring.stress_matrix import EXTRA_SEEDS, stress_matrix

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course"
LESSON_DIR = Path("grader") / "lessons" / "tiny_stats"


def course_copy(tmp_path: Path, stress_source: str | None = None, not_stressed: dict | None = None) -> Path:
    """The fixture course, with its stress.py and the `scale` exercise's not_stressed replaced."""
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course, ignore=shutil.ignore_patterns("__pycache__"))
    if stress_source is not None:
        (course / LESSON_DIR / "stress.py").write_text(stress_source)
    if not_stressed is not None:
        where = course / LESSON_DIR / "lesson.yaml"
        raw = yaml.safe_load(where.read_text())
        raw["exercises"][0]["not_stressed"] = not_stressed
        where.write_text(yaml.safe_dump(raw, sort_keys=False))
    return course


def validate(course: Path) -> Result:
    return CliRunner().invoke(main, ["--course", str(course), "validate"], catch_exceptions=False)


STRESS_HEADER = '''from __future__ import annotations

import numpy as np

from grader.core.checks import Case
from grader.course.stress import StressRegistry

STRESS = StressRegistry()


@STRESS.add("values far from zero (magnitude 8 or more)")
def far_from_zero(exercise: str, case: Case) -> bool:
    return bool((np.abs(np.asarray(case.args[0], dtype=float)) >= 8).any())
'''


def test_the_fixture_course_validates_with_its_matrix(tmp_path):
    result = validate(course_copy(tmp_path))
    assert result.exit_code == 0, result.stdout
    assert "Stress matrix (hidden checks per class; - does not apply" in result.stdout
    lines = result.stdout.splitlines()
    assert "  scale   -" in lines and "  center  1" in lines  # scale says why not; center's hidden check covers it
    assert "   1. far_from_zero: values far from zero (magnitude 8 or more)" in lines
    assert "✓ stress matrix: 2 exercises x 1 classes: 1 cells stressed, the other 1 say why not" in lines


def test_an_empty_cell_fails_validate(tmp_path):
    course = course_copy(tmp_path, not_stressed={})  # scale's reason removed: nothing covers the class
    result = validate(course)
    assert result.exit_code == 1
    assert "  scale   ✗" in result.stdout.splitlines()
    assert ("✗ stress matrix: 1 empty cell, no hidden case at every seed and no reason in lesson.yaml's "
            "not_stressed: scale x far_from_zero (a hidden case at 3 of the 8 seeds only (not at 2026, 1, 7, 42, "
            "100): the input is drawn by chance; build it on purpose)\n") in result.stdout


@pytest.mark.parametrize("error, said", [
    ("1 / 0", "ZeroDivisionError: division by zero (stress.py, line 18)"),
    ("np.zeros(2)[5]", "IndexError: index 5 is out of bounds for axis 0 with size 2 (stress.py, line 18)"),
])
def test_a_predicate_that_raises_is_said_with_its_empty_cell_not_a_traceback(tmp_path, error, said):
    """A predicate raising anything but the five errors of "a case it does not read" stopped validate with a
    traceback; those five left an empty cell that said only "no hidden case". Either is now not reached, and the
    empty cell says what the predicate raised and where."""
    stress = STRESS_HEADER + f"""

@STRESS.add("a predicate with a bug")
def buggy(exercise: str, case: Case) -> bool:
    return bool({error})
"""
    assert stress.splitlines()[17] == f"    return bool({error})"
    result = validate(course_copy(tmp_path, stress))
    assert result.exit_code == 1, result.output
    assert (f"center x buggy (no hidden case; the predicate raised {said} on a hidden case, which counts as not "
            "reached)") in result.stdout


def test_a_class_no_exercise_stresses_fails_for_every_exercise(tmp_path):
    stress = STRESS_HEADER + '''

@STRESS.add("an empty array")
def empty(exercise: str, case: Case) -> bool:
    return np.asarray(case.args[0]).size == 0
'''
    result = validate(course_copy(tmp_path, stress))
    assert result.exit_code == 1
    assert "2 empty cells" in result.stdout and "scale x empty; center x empty\n" in result.stdout  # no case at all


def test_a_reason_for_a_class_that_is_stressed_fails(tmp_path):
    stress = STRESS_HEADER + '''

@STRESS.add("random input")
def any_input(exercise: str, case: Case) -> bool:
    return True
'''
    course = course_copy(tmp_path, stress, not_stressed={"far_from_zero": "linear", "any_input": "not needed"})
    result = validate(course)
    assert result.exit_code == 1
    assert "✗ not_stressed: says a class does not apply, but a check stresses it (remove the reason): " \
           "scale x any_input (random_scale)" in result.stdout


def test_a_class_reached_at_some_seeds_only_is_not_covered(tmp_path):
    """scale's hidden input is random: a class it reaches by chance at one seed protects nothing at others."""
    stress = STRESS_HEADER + '''

@STRESS.add("a negative first value")
def negative_first(exercise: str, case: Case) -> bool:
    return float(np.asarray(case.args[0], dtype=float).reshape(-1)[0]) < 0
'''
    course = course_copy(tmp_path, stress)
    from grader.course.course import Course

    lesson = Course.at(course).lesson("tiny_stats")
    scale = lesson.exercise("scale")
    firsts = [float(case.args[0][0]) for seed in (2026, *EXTRA_SEEDS) for check in scale.checks if check.hidden
              for case in check.cases(lesson.reference, seed)]
    assert any(f < 0 for f in firsts) and any(f >= 0 for f in firsts)  # reached at some seeds, not all
    cell = next(c for c in stress_matrix(lesson, 2026) if c.exercise == "scale" and c.stress == "negative_first")
    assert cell.empty
    # It used to read "no hidden case", which sends the author looking for a missing check rather than a
    # stressing input drawn by chance (the optimizers trial: gradients "of magnitude 1e4" from normal(0, 1e4)).
    unreached = [seed for seed in (2026, *EXTRA_SEEDS) if not any(
        float(case.args[0][0]) < 0 for check in scale.checks if check.hidden for case in check.cases(lesson.reference, seed))]
    assert cell.unreached_at == tuple(unreached) and 0 < len(unreached) < 8
    result = validate(course)
    assert result.exit_code == 1
    assert (f"scale x negative_first (a hidden case at {8 - len(unreached)} of the 8 seeds only (not at "
            f"{', '.join(map(str, unreached))}): the input is drawn by chance; build it on purpose)") in result.stdout


def test_an_unknown_class_in_not_stressed_is_a_one_line_error(tmp_path):
    course = course_copy(tmp_path, not_stressed={"far_from_zero": "linear", "huge": "no"})
    result = validate(course)
    assert result.exit_code == 2
    assert "exercise scale, not_stressed: unknown stress class 'huge'; the lesson's classes are far_from_zero" in result.output
    assert "Traceback" not in result.output


def test_a_lesson_without_stress_classes_fails_validate(tmp_path):
    course = course_copy(tmp_path, not_stressed={})
    init = course / LESSON_DIR / "__init__.py"
    init.write_text(init.read_text().replace("from .stress import STRESS\n", "").replace(', "STRESS"', ""))
    result = validate(course)
    assert result.exit_code == 1
    assert "✗ stress matrix: the lesson names no stress classes (STRESS in its package" in result.stdout


def test_the_shipped_lesson_stresses_every_class_the_issue_names(lesson):
    """Underflow, overflow, mixed scale, shapes, unchanged input, exceptions, degenerate values: each class
    is stressed in every exercise it applies to, and the underflowing target reaches the mean and torch losses."""
    matrix = stress_matrix(lesson, 2026)
    assert {c.stress for c in matrix} >= {
        "probability_underflows", "overflow", "mixed_scale", "one_dimensional", "three_dimensional", "other_axis",
        "batch_of_one", "as_many_rows_as_classes", "input_unchanged", "promised_exception", "one_class",
        "equal_logits", "target_first_class", "target_last_class", "other_input_types"}
    assert not [c for c in matrix if c.empty]
    for exercise in ("sequence_mean_loss", "torch_classification_loss", "torch_sequence_loss"):
        cell = next(c for c in matrix if c.exercise == exercise and c.stress == "probability_underflows")
        assert cell.checks, exercise


@pytest.mark.parametrize("dtype, gap, underflows", [("float64", 800.0, False), ("float64", 1000.0, True),
                                                    ("float32", 150.0, False), ("float32", 300.0, True)])
def test_underflow_is_judged_in_the_case_s_own_precision(dtype, gap, underflows):
    import numpy as np

    from grader.core.checks import Case, Tensor
    from grader.lessons.softmax_cross_entropy.stress import probability_underflows

    z = np.array([[0.0, 1.0, 1.0 - gap]])  # the target (class 2) is `gap` below the max
    logits = Tensor(z, dtype) if dtype == "float32" else z
    targets = Tensor(np.array([2]), "int64") if dtype == "float32" else np.array([2])
    assert probability_underflows("any", Case((logits, targets), "x")) is underflows

