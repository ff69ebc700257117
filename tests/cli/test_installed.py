"""A non-editable install (pip install ., a wheel, pipx, pip install git+URL: each builds a wheel) finds the
lesson's quiz, reference and stubs, and grades a student folder outside the project (issue 22, item 3)."""
from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml

from grader.course.lesson import PROJECT_ROOT
from grader.course.course import load_lesson
from grader.course.quiz import load_quiz
from installs import build_wheel, copy_project, imported_grader, install_in_fresh_venv, run_installed
from variants import REFERENCE

pytestmark = pytest.mark.e2e  # a wheel built, installed in a fresh venv and run

EXERCISE = "softmax_cross_entropy"


def student_folder(root: Path, exercise_file: Path = REFERENCE, right_answers: bool = True) -> Path:
    (root / "exercises").mkdir(parents=True)
    shutil.copyfile(exercise_file, root / "exercises" / f"{EXERCISE}.py")
    if right_answers:
        quiz = load_quiz(load_lesson().quiz_path)
        (root / "quiz_answers.yaml").write_text(yaml.safe_dump({q.id: q.answer.id for q in quiz.questions}))
    return root


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("installed")
    wheel = build_wheel(copy_project(PROJECT_ROOT, where / "project"), where / "dist")
    return install_in_fresh_venv(wheel, where / "venv")


def test_the_wheel_packages_the_course_data(installed):
    wheel = next((installed.parents[2] / "dist").glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"grader/_course/quizzes/{EXERCISE}.yaml", f"grader/_course/solutions/{EXERCISE}.py",
            f"grader/_course/exercises/{EXERCISE}.py", f"grader/lessons/{EXERCISE}/lesson.yaml",
            f"grader/lessons/{EXERCISE}/student_README.md"} <= names


def test_an_installed_grade_grades_a_student_folder_outside_the_project(installed, tmp_path):
    assert imported_grader(installed).startswith(str(installed.parents[1]))  # the wheel's grader, not the project's
    student = student_folder(tmp_path / "student")
    checked = run_installed(installed, student, "check", ".", "--format", "json")
    assert checked.returncode == 0, checked.stderr
    document = json.loads(checked.stdout)
    assert document["score"] == document["max_score"] == 35
    assert document["quiz"]["passed"] is True
    bare = run_installed(installed, student)
    assert bare.returncode == 0, bare.stderr
    assert "Lesson complete" in bare.stdout
    lessons = run_installed(installed, tmp_path, "lessons")
    assert lessons.returncode == 0 and EXERCISE in lessons.stdout, lessons.stderr
