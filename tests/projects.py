"""Student projects for CLI tests: an exercise file under exercises/, optionally quiz answers."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from grader.course.course import load_lesson
from grader.cli.app import main
from grader.course.quiz import load_quiz
from variants import STUB


def make_project(root: Path, exercise_file: Path = STUB, correct_answers: int | None = None) -> Path:
    """A project at ``root``; with ``correct_answers``, a quiz_answers.yaml with that many right."""
    (root / "exercises").mkdir(parents=True)
    shutil.copy(exercise_file, root / "exercises" / "softmax_cross_entropy.py")
    if correct_answers is not None:
        quiz = load_quiz(load_lesson().quiz_path)
        answers = {}
        for number, question in enumerate(quiz.questions):
            wrong = next(c.id for c in question.choices if c.id != question.answer.id)
            answers[question.id] = question.answer.id if number < correct_answers else wrong
        (root / "quiz_answers.yaml").write_text(yaml.safe_dump(answers))
    return root


def grade_in(directory: Path, *args: str, input: str | None = None) -> Result:
    """Run `grade ARGS` with ``directory`` as the working directory."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
