"""`grade` with quiz answers: the quiz in the report, and the lesson's completion."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.quiz import DEFAULT_QUIZ, load_quiz
from variants import REFERENCE, STUB


def project(tmp_path: Path, exercise_file: Path, correct_answers: int | None) -> Path:
    (tmp_path / "exercises").mkdir()
    shutil.copy(exercise_file, tmp_path / "exercises" / "softmax_cross_entropy.py")
    if correct_answers is not None:
        quiz = load_quiz(DEFAULT_QUIZ)
        answers = {}
        for number, question in enumerate(quiz.questions):
            wrong = next(c.id for c in question.choices if c.id != question.answer.id)
            answers[question.id] = question.answer.id if number < correct_answers else wrong
        (tmp_path / "quiz_answers.yaml").write_text(yaml.safe_dump(answers))
    return tmp_path


def grade_in(directory: Path, *args: str, input: str | None = None):
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_full_marks_and_a_passed_quiz_complete_the_lesson(tmp_path):
    result = grade_in(project(tmp_path, REFERENCE, correct_answers=7))
    assert result.exit_code == 0
    assert "Quiz: 7/8 = 87.5%, passed" in result.stdout
    assert "Lesson complete" in result.stdout


def test_a_quiz_at_75_percent_keeps_the_lesson_incomplete(tmp_path):
    result = grade_in(project(tmp_path, REFERENCE, correct_answers=6))
    assert result.exit_code == 1
    assert "Quiz: 6/8 = 75%, not passed" in result.stdout
    assert "Still needed: a quiz score above 75%" in result.stdout
    assert "exercises still short" not in result.stdout


def test_without_answers_the_report_says_the_quiz_is_missing(tmp_path):
    result = grade_in(project(tmp_path, STUB, correct_answers=None), "--exercise", "stable_softmax")
    assert result.exit_code == 1
    assert "Quiz:" not in result.stdout


def test_json_report_carries_the_quiz_object(tmp_path):
    result = grade_in(project(tmp_path, STUB, correct_answers=8), "--format", "json", "--exercise", "stable_softmax")
    quiz = json.loads(result.stdout)["quiz"]
    assert quiz["score"] == 8 and quiz["passed"] is True and quiz["pass_above"] == 0.75
    assert [q["id"] for q in quiz["questions"]] == [f"q{i}" for i in range(1, 9)]


def test_grade_check_on_a_directory_includes_its_quiz_answers(tmp_path):
    directory = project(tmp_path, REFERENCE, correct_answers=8)
    result = CliRunner().invoke(main, ["check", str(directory), "--format", "json"])
    assert json.loads(result.stdout)["quiz"]["percent"] == 100.0
    assert result.exit_code == 0


def test_a_broken_answers_file_exits_2(tmp_path):
    directory = project(tmp_path, REFERENCE, correct_answers=None)
    (directory / "quiz_answers.yaml").write_text("q1: z\n")
    result = grade_in(directory)
    assert result.exit_code == 2
    assert "quiz_answers.yaml" in result.stderr and "q1" in result.stderr


def test_the_quiz_saves_answers_at_the_project_root(tmp_path):
    directory = project(tmp_path, STUB, correct_answers=None)
    (directory / "exercises" / "deep").mkdir()
    result = grade_in(directory / "exercises" / "deep", "quiz", input="a\n")
    assert result.exit_code == 1
    assert yaml.safe_load((directory / "quiz_answers.yaml").read_text())["q1"] == "a"
    assert "run `grade quiz` to continue" in result.stdout
