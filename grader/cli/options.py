"""Every option that several ``grade`` commands share, defined once: its name, type, default and help.

A command takes one as a decorator (``@timeout_option``); where a command words the help in its own
terms (what --seed defaults to, what --unconfined lets through), the option is built by a function that
takes that help, and the rest stays defined here. Defaults come from where the values live: the
sandbox's ``Limits`` for --timeout and --memory-mb.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Sequence

import click

from grader.course.course import COURSE_VARIABLE
from grader.core.submission import PREFER_HELP, Prefer
from grader.sandbox.runner import Limits

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
FILE = click.Path(dir_okay=False, path_type=Path)
FOLDER = click.Path(file_okay=False, path_type=Path)

lesson_option = click.option("--lesson", metavar="NAME", help="The lesson to work on (`grade lessons` lists them).")
course_option = click.option(
    "--course", "course_root", type=FOLDER, envvar=COURSE_VARIABLE,
    help=f"The course folder (exercises/, solutions/, quizzes/, grader/lessons/) [default: the folder you are in "
         f"or above holding grader/lessons/, else this grader's project; env {COURSE_VARIABLE}].")

timeout_option = click.option("--timeout", type=click.FloatRange(min=0.1), default=Limits.timeout, show_default=True,
                              help="Time limit per exercise, in seconds.")
memory_option = click.option("--memory-mb", type=click.IntRange(min=64), default=Limits.memory_mb, show_default=True,
                             help="Memory a submission may allocate, in MiB.")
exercise_option = click.option("--exercise", "exercises", multiple=True, metavar="NAME",
                               help="Grade only this exercise (repeatable).")
prefer_option = click.option("--prefer", type=click.Choice([p.value for p in Prefer]), default=Prefer.STARTED.value,
                             show_default=True, callback=lambda ctx, param, value: Prefer(value), help=PREFER_HELP)
junit_option = click.option("--junit", type=FILE, help="Also write JUnit XML to FILE.")
excel_csv_option = click.option("--excel-csv", is_flag=True,
                                help="Write gradebook.csv for Excel: a UTF-8 byte order mark and CRLF line ends.")
output_option = click.option("--output", type=FILE, help="Write the report to FILE instead of the terminal.")
quiz_option = click.option("--quiz", "quiz_file", type=FILE, default=None, show_default="the lesson's quiz",
                           help="The quiz file.")


def seed_option(help: str, default: int | None = None) -> Decorator:
    """--seed: the seed of the hidden checks' random inputs; ``help`` says what it is for the command."""
    return click.option("--seed", type=int, default=default, show_default=default is not None, help=help)


def format_option(choices: Sequence[str], default: str, help: str, show_default: bool = True) -> Decorator:
    """--format (the value arrives as ``output_format``)."""
    return click.option("--format", "output_format", type=click.Choice(list(choices)), default=default,
                        show_default=show_default, help=help)


def unconfined_option(help: str) -> Decorator:
    """--unconfined: go on where the sandbox is incomplete (grade doctor); ``help`` says what it lets through."""
    return click.option("--unconfined", is_flag=True, help=help)


def out_option(help: str) -> Decorator:
    """--out DIRECTORY, required: where a class run's results go."""
    return click.option("--out", required=True, type=FOLDER, help=help)
