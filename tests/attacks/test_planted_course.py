"""A course planted by a student: the course is found from the current directory (the nearest folder holding
grader/lessons/), and its lesson package runs in the trusted grading process. Every student's copy is a course
(grade release writes grader/lessons/ into it), so a submission can hold one whose checks.py writes the grade.
A credit run must never take its course from the submissions it grades."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.cli.app import main
from grader.course.course import COURSE_VARIABLE

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course"
NAME = "tiny_stats"


def plant(folder: Path, marker: Path) -> Path:
    """A whole course in ``folder`` (a student's submission) whose lesson package writes ``marker`` on import."""
    shutil.copytree(FIXTURE, folder, dirs_exist_ok=True)
    init = folder / "grader" / "lessons" / NAME / "__init__.py"
    init.write_text(f"open({str(marker)!r}, 'w').write('pwned')\n" + init.read_text())
    return folder


def grade_in(cwd: Path, *args: str) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        patch.delenv(COURSE_VARIABLE, raising=False)
        return CliRunner().invoke(main, list(args), catch_exceptions=False)


def refused(result: Result, marker: Path) -> None:
    assert not marker.exists(), "the planted lesson package ran in the grader's process"
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "inside" in lines[0] and "--course" in lines[0], result.output


@pytest.mark.parametrize("lesson", [(), ("--lesson", NAME)])
def test_batch_refuses_a_course_planted_as_a_submission_named_grader(tmp_path, lesson):
    """``grade batch .`` in the class folder: a submission named ``grader`` makes the class folder a course."""
    marker = tmp_path / "marker"
    klass = tmp_path / "class"
    plant(klass / "planted", marker)
    shutil.move(klass / "planted" / "grader", klass / "grader")  # the submission "grader" holds lessons/NAME/
    shutil.copytree(FIXTURE / "exercises", klass / "ann" / "exercises")
    result = grade_in(klass, *lesson, "batch", ".", "--out", str(tmp_path / "out"), "--jobs", "1", "--seed", "7",
                      "--unconfined")
    refused(result, marker)


def test_batch_from_inside_a_students_folder_refuses_that_students_course(tmp_path):
    marker = tmp_path / "marker"
    klass = tmp_path / "class"
    alice = plant(klass / "alice", marker)
    result = grade_in(alice / "exercises", "batch", "..", "--out", str(tmp_path / "out"), "--seed", "7",
                      "--unconfined")
    refused(result, marker)


def test_batch_refuses_a_course_chosen_inside_the_class_folder(tmp_path):
    marker = tmp_path / "marker"
    klass = tmp_path / "class"
    alice = plant(klass / "alice", marker)
    result = grade_in(tmp_path, "--course", str(alice), "batch", str(klass), "--out", str(tmp_path / "out"),
                      "--seed", "7", "--unconfined")
    refused(result, marker)


@pytest.mark.parametrize("target", [".", "exercises", f"exercises/{NAME}.py"])
def test_check_for_credit_refuses_the_submissions_own_course(tmp_path, target):
    """``grade check . --format gradescope`` run inside the student's folder (Gradescope's
    /autograder/submission, a clone): the student's own course would grade them."""
    marker = tmp_path / "marker"
    alice = plant(tmp_path / "alice", marker)
    result = grade_in(alice, "check", target, "--format", "gradescope", "--seed", "7", "--unconfined")
    refused(result, marker)


def test_batch_with_the_class_inside_the_course_still_works(tmp_path):
    """The instructor's own layout (classroom-grade.yml): the course's folder holds submissions/."""
    course = shutil.copytree(FIXTURE, tmp_path / "course")
    alice = course / "submissions" / "alice"
    plant(alice, tmp_path / "marker")  # a student's copy holds grader/lessons/ too: never used from up here
    shutil.copy(FIXTURE / "solutions" / f"{NAME}.py", alice / "exercises" / f"{NAME}.py")
    result = grade_in(course, "batch", "submissions", "--out", str(tmp_path / "out"), "--jobs", "1", "--seed", "7",
                      "--unconfined")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "marker").exists()
    assert (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[1].startswith("alice,5,5,")
