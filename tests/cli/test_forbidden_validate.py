"""``grade validate`` resolves every forbidden shortcut of lesson.yaml before grading anything: a name that
does not resolve is an author's error, one line and exit 2."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli.app import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course"
LESSON_YAML = Path("grader") / "lessons" / "tiny_stats" / "lesson.yaml"


def _course(tmp_path: Path, forbidden: list[str]) -> Path:
    course = tmp_path / "course"
    shutil.copytree(FIXTURE, course, ignore=shutil.ignore_patterns("__pycache__"))
    raw = yaml.safe_load((course / LESSON_YAML).read_text())
    raw["exercises"][0]["forbidden"] = forbidden
    (course / LESSON_YAML).write_text(yaml.safe_dump(raw, sort_keys=False))
    return course


@pytest.mark.parametrize("name, reason", [
    ("numpy.no_such_function", "numpy.no_such_function: no such function"),
    ("no_such_module.f", "no_such_module.f: no module 'no_such_module' can be imported"),
    ("numpy.ndarray.sum", "built-in class whose methods cannot be watched"),
])
def test_a_forbidden_name_that_does_not_resolve_stops_validate(tmp_path, name, reason):
    result = CliRunner().invoke(main, ["--course", str(_course(tmp_path, ["numpy.multiply", name])), "validate"])
    assert result.exit_code == 2
    assert "exercise scale, forbidden: " in result.output and reason in result.output
    assert "Traceback" not in result.output


def test_a_forbidden_shortcut_costs_the_exercise_that_forbids_it(tmp_path):
    """The fixture's reference scales with `factor * x`; forbidding numpy.multiply does not touch it, and a
    submission that calls np.multiply loses the scale checks and only those."""
    course = _course(tmp_path, ["numpy.multiply"])
    student = tmp_path / "student" / "tiny_stats.py"
    student.parent.mkdir()
    reference = (course / "solutions" / "tiny_stats.py").read_text()
    student.write_text(reference + "\n\ndef scale(x, factor):\n    return np.multiply(np.asarray(x, dtype=float), factor)\n")
    result = CliRunner().invoke(main, ["--course", str(course), "check", str(student)])
    assert result.exit_code == 1, result.output
    assert "calls numpy.multiply, which this exercise asks you to write yourself" in result.output
    reference_run = CliRunner().invoke(main, ["--course", str(course), "check", str(course / "solutions" / "tiny_stats.py")])
    assert reference_run.exit_code == 0, reference_run.output


PROJECT = Path(__file__).resolve().parents[2]
LESSON = "softmax_cross_entropy"


def _project_course(tmp_path: Path, exercise: str, forbidden: list[str]) -> Path:
    """A copy of the shipped lesson's course whose ``exercise`` forbids ``forbidden``."""
    course = tmp_path / "course"
    for folder in ("exercises", "solutions", "quizzes"):
        shutil.copytree(PROJECT / folder, course / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "grader" / "lessons" / LESSON, course / "grader" / "lessons" / LESSON,
                    ignore=shutil.ignore_patterns("__pycache__"))
    lesson_yaml = course / "grader" / "lessons" / LESSON / "lesson.yaml"
    raw = yaml.safe_load(lesson_yaml.read_text())
    next(e for e in raw["exercises"] if e["name"] == exercise)["forbidden"] = forbidden
    lesson_yaml.write_text(yaml.safe_dump(raw, sort_keys=False))
    return course


def test_what_a_probe_calls_is_not_the_students_shortcut(tmp_path):
    """finite_difference_gradient differentiates losses the worker hands in (probes: numpy.exp, numpy.sin
    inside). Forbidding those names fails a student who calls them, never one whose code calls the probe."""
    course = _project_course(tmp_path, "finite_difference_gradient", ["numpy.exp", "numpy.sin"])
    reference = course / "solutions" / f"{LESSON}.py"
    ran = CliRunner().invoke(main, ["--course", str(course), "check", "--exercise", "finite_difference_gradient",
                                    str(reference)])
    assert ran.exit_code == 0, ran.output
    assert "which this exercise asks you to write yourself" not in ran.output
    student = tmp_path / "student" / f"{LESSON}.py"
    student.parent.mkdir()
    student.write_text(reference.read_text() + (
        "\n\ndef finite_difference_gradient(f, x, epsilon=1e-5):\n"
        "    np.exp(0.0)  # a call of its own\n"
        "    point = np.array(x, dtype=float)\n"
        "    gradient = np.zeros_like(point)\n"
        "    for index in np.ndindex(point.shape):\n"
        "        original = point[index]\n"
        "        point[index] = original + epsilon\n"
        "        above = float(f(point))\n"
        "        point[index] = original - epsilon\n"
        "        below = float(f(point))\n"
        "        point[index] = original\n"
        "        gradient[index] = (above - below) / (2 * epsilon)\n"
        "    return gradient\n"))
    caught = CliRunner().invoke(main, ["--course", str(course), "check", "--exercise", "finite_difference_gradient",
                                       str(student)])
    assert caught.exit_code == 1, caught.output
    assert "calls numpy.exp, which this exercise asks you to write yourself" in caught.output
