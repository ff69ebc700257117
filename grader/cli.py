"""The ``grade`` command line. Commands gather options, call the core, and hand results to a renderer."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import click

from grader.errors import UsageError
from grader.grading import DEFAULT_SEED, GradeOptions, grade_submission
from grader.lesson import load_lesson
from grader.model import Report
from grader.quiz import (
    ANSWERS_FILE,
    DEFAULT_QUIZ,
    QuizResult,
    load_answers,
    load_quiz,
    quiz_command,
    quiz_key_command,
    score_quiz,
)
from grader.render.json_report import render_json
from grader.render.text import render_text
from grader.sandbox.runner import Limits
from grader.submission import find_project_file, resolve_submission

def write_output(text: str, output: Path | None) -> None:
    """Print, or write the file atomically so that an interrupted run never leaves half a report."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=output.parent, delete=False, encoding="utf-8",
                                         prefix=f".{output.name}.") as handle:
            handle.write(text)
        os.replace(handle.name, output)
    except OSError as exc:
        raise UsageError(f"{output}: cannot write the report ({exc.strerror})") from None


def _grading_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
                     show_default=True, help="Report format."),
        click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report to FILE instead of the terminal."),
        click.option("--exercise", "exercises", multiple=True, metavar="NAME",
                     help="Grade only this exercise (repeatable)."),
        click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
                     help="Seed of the hidden checks' random inputs."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
                     help="Time limit per exercise, in seconds."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _quiz_result(answers: Path) -> QuizResult | None:
    """The quiz result when the student has saved answers beside the exercises, else None."""
    if not answers.is_file():
        return None
    quiz = load_quiz(DEFAULT_QUIZ)
    return score_quiz(quiz, load_answers(answers, quiz))


def _grade_and_report(student_file: Path, answers: Path | None, output_format: str, output: Path | None,
                      exercises: tuple[str, ...], seed: int, timeout: float) -> None:
    lesson = load_lesson()
    options = GradeOptions(seed=seed, limits=Limits(timeout=timeout), exercises=exercises)
    report = grade_submission(student_file, lesson, options)
    if answers is not None:
        report = Report(report.submission, report.seed, report.exercises, _quiz_result(answers), report.seconds)
    if output_format == "json":
        text = render_json(report)
    else:
        text = render_text(report, color=output is None and sys.stdout.isatty(), include_lesson=not exercises)
    write_output(text, output)
    sys.exit(0 if report.all_passed else 1)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@_grading_options
@click.pass_context
def main(ctx: click.Context, output_format: str, output: Path | None, exercises: tuple[str, ...], seed: int,
         timeout: float) -> None:
    """Grade the lesson's exercises (and quiz answers) of the project you are in.

    Exit codes: 0 everything passed, 1 graded with something short, 2 bad usage or unreadable files.
    """
    if ctx.invoked_subcommand is not None:
        return
    lesson = load_lesson()
    student_file = find_project_file(Path.cwd(), lesson.student_file)
    answers = student_file.parents[1] / ANSWERS_FILE
    _grade_and_report(student_file, answers, output_format, output, exercises, seed, timeout)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@_grading_options
def check(path: Path, output_format: str, output: Path | None, exercises: tuple[str, ...], seed: int,
          timeout: float) -> None:
    """Grade PATH: the exercise .py file, or a directory holding it at its root or under exercises/."""
    lesson = load_lesson()
    student_file = resolve_submission(path, lesson.student_file)
    answers = path / ANSWERS_FILE if path.is_dir() else None
    _grade_and_report(student_file, answers, output_format, output, exercises, seed, timeout)


main.add_command(quiz_command)
main.add_command(quiz_key_command)
