"""`grade quiz-key`: the instructor's view of the hashed answer key. Never shipped in a student copy
(``grade release`` leaves this module and ``instructor`` out), so a copy has no command that prints the key.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import click

from grader.cli.base import GradeGroup
from grader.cli.options import quiz_option
from grader.cli.quiz import _quiz_file
from grader.authoring.quiz_key import set_key
from grader.course.quiz.schema import load_quiz


@click.group("quiz-key", cls=GradeGroup)
def quiz_key_command() -> None:
    """Instructor: show or change the quiz's answer key (stored hashed in the quiz file)."""


@quiz_key_command.command("show")
@quiz_option
def show_key(quiz_file: Path | None) -> None:
    """Print each question's correct choice."""
    for question in load_quiz(_quiz_file(quiz_file)).questions:
        click.echo(f"{question.id}: {question.answer.id}  {textwrap.shorten(question.answer.text, 70)}")


@quiz_key_command.command("set")
@click.argument("question_id")
@click.argument("choice_id")
@quiz_option
def set_key_command(question_id: str, choice_id: str, quiz_file: Path | None) -> None:
    """Make CHOICE_ID the correct answer to QUESTION_ID.

    The question gets a fresh salt and the quiz file is rewritten (its top comments are kept).
    """
    quiz_file = _quiz_file(quiz_file)
    question = set_key(quiz_file, question_id, choice_id.lower())
    click.echo(f"{quiz_file}: {question.id} -> {question.answer.id}  {textwrap.shorten(question.answer.text, 60)}")
