"""StudentProject: the one answer to where a student's exercise, quiz answers and progress files are."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.authoring.scaffold import new_lesson
from grader.course.course import Course
from grader.course.project import StudentProject
from grader.core.submission import Prefer

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course"


@pytest.fixture
def lesson():
    return Course.at(FIXTURE).lesson("tiny_stats")


def test_the_project_is_the_nearest_folder_holding_the_exercise_file(tmp_path, lesson):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "tiny_stats.py").write_text("")
    deep = tmp_path / "exercises" / "notes"
    deep.mkdir()
    project = StudentProject.find(deep, lesson)
    assert project == StudentProject(tmp_path, lesson)
    assert StudentProject.find(tmp_path.parent, lesson) is None
    assert project.exercise_path == tmp_path / "exercises" / "tiny_stats.py"
    assert project.exercise_file(Prefer.PY).path == project.exercise_path
    assert project.progress_path == tmp_path / ".grade-progress.json"  # a one-lesson course
    assert project.owns(tmp_path / "exercises" / "tiny_stats.ipynb") and project.owns(project.exercise_path)
    assert not project.owns(tmp_path / "tiny_stats.py")


def test_quiz_answers_are_found_and_saved_by_one_rule(tmp_path):
    course = shutil.copytree(FIXTURE, tmp_path / "course")
    new_lesson(course, "other", None)  # a course of two lessons: each has its own answers and progress files
    lesson = Course.at(course).lesson("tiny_stats")
    assert lesson.answers_file == "quiz_answers.tiny_stats.yaml"
    project = StudentProject(tmp_path, lesson)
    assert project.answers_path() == tmp_path / "quiz_answers.tiny_stats.yaml"  # nothing there yet: its own file
    (tmp_path / "quiz_answers.yaml").write_text("# lesson: tiny_stats\nq1: a\n")
    # A plain file naming the lesson is the one graded, so `grade quiz` resumes and saves it too.
    assert project.answers().file.relative == "quiz_answers.yaml"
    assert project.answers_path() == tmp_path / "quiz_answers.yaml"
    assert project.progress_path == tmp_path / ".grade-progress.tiny_stats.json"
