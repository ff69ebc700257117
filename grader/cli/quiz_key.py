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
from grader.authoring.quiz_key import set_keys
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
@click.argument("answers", nargs=-1, required=True, metavar="QUESTION_ID CHOICE_ID | QUESTION_ID=CHOICE_ID...")
@quiz_option
def set_key_command(answers: tuple[str, ...], quiz_file: Path | None) -> None:
    """Make CHOICE_ID the correct answer to QUESTION_ID: one question (`set q3 b`), or several at once
    (`set q1=a q2=c q3=b`).

    Each question gets a fresh salt and the quiz file is rewritten once (its top comments are kept); one
    unknown question or choice changes nothing.
    """
    pairs = _answer_pairs(answers)
    quiz_file = _quiz_file(quiz_file)
    for question in set_keys(quiz_file, pairs):
        click.echo(f"{quiz_file}: {question.id} -> {question.answer.id}  {textwrap.shorten(question.answer.text, 60)}")


def _answer_pairs(answers: tuple[str, ...]) -> dict[str, str]:
    """``q3 b``, or ``q1=a q2=c ...``: question id -> choice id (lower case, as the quiz's choices are)."""
    if len(answers) == 2 and not any("=" in a for a in answers):
        return {answers[0]: answers[1].lower()}
    pairs: dict[str, str] = {}
    for answer in answers:
        question_id, equals, choice_id = answer.partition("=")
        if not equals or not question_id or not choice_id:
            raise click.UsageError(f"{answer!r}: give QUESTION_ID=CHOICE_ID (q3=b), or one question as QUESTION_ID "
                                   "CHOICE_ID")
        if question_id in pairs:
            raise click.UsageError(f"question {question_id} is given twice")
        pairs[question_id] = choice_id.lower()
    return pairs
