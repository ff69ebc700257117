"""The ``grade`` command line. Commands gather options, call the core, and hand results to a renderer."""
from __future__ import annotations

import dataclasses
import functools
import os
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import click

from grader.errors import UsageError
from grader.grading import DEFAULT_SEED, GradeOptions, grade_submission, select_exercises
from grader.learning_cli import (
    hint_command,
    list_command,
    release_command,
    reset_command,
    validate_command,
    watch_command,
)
from grader.lesson import load_lesson
from grader.model import Report
from grader.outputs import write_atomic
from grader.progress import load_progress, progress_path, save_progress
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
from grader.render.gradescope import HIDDEN_VISIBILITY, VISIBILITIES, render_gradescope
from grader.render.json_report import render_json
from grader.render.junit import render_report_junit
from grader.render.markdown import render_markdown
from grader.render.text import render_text
from grader.sandbox.runner import Limits
from grader.sandbox.server import warm_server
from grader.credit import SEED_VARIABLE, credit_seed, require_confinement, seed_line
from grader.submission import SubmissionFile, entry_kind, find_project_file, resolve_submission


def write_output(text: str, output: Path | None) -> None:
    """Print, or write the file whole (never half a report)."""
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


def _grading_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--format", "output_format", type=click.Choice(["text", "json", "gradescope", "markdown"]),
                     default="text", show_default=True, help="Report format."),
        click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write the report to FILE instead of the terminal."),
        click.option("--exercise", "exercises", multiple=True, metavar="NAME",
                     help="Grade only this exercise (repeatable)."),
        click.option("--seed", type=int, default=None,
                     help=f"Seed of the hidden checks' random inputs.  [default: {DEFAULT_SEED} for practice; for "
                          "credit formats $GRADE_SEED, else a fresh random seed]"),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
                     help="Time limit per exercise, in seconds."),
        click.option("--memory-mb", type=click.IntRange(min=64), default=Limits.memory_mb, show_default=True,
                     help="Memory a submission may allocate, in MiB."),
    ]

    @functools.wraps(function)
    def with_grading(*args: Any, exercises: tuple[str, ...], seed: int | None, timeout: float, memory_mb: int,
                     **kwargs: Any) -> Any:
        grading = GradeOptions(seed=DEFAULT_SEED if seed is None else seed,
                               limits=Limits(timeout=timeout, memory_mb=memory_mb), exercises=exercises)
        return function(*args, grading=grading, seed_given=seed, **kwargs)

    for option in reversed(options):
        with_grading = option(with_grading)
    return with_grading


def _quiz_result(answers: SubmissionFile) -> QuizResult | None:
    """The quiz result when the student has saved answers beside the exercises, else None."""
    if entry_kind(answers.base, answers.relative) is None:
        return None
    quiz = load_quiz(DEFAULT_QUIZ)
    return score_quiz(quiz, load_answers(answers, quiz))


CREDIT_FORMATS = ("gradescope",)


def _practice_note(report: Report) -> None:
    if report.unconfined:
        click.echo(f"Note: graded without full confinement here (missing: {', '.join(report.unconfined)}); "
                   "fine for practice, see grade doctor.", err=True)


class _LiveStatus:
    """One line on a terminal's stderr saying how far grading is, erased before the report."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.show("starting the sandbox")

    def show(self, text: str) -> None:
        click.echo(f"\r\033[KGrading: {text}", err=True, nl=False)

    def __call__(self, exercise: str) -> None:
        self.done += 1
        self.show(f"{self.done}/{self.total} exercises run (last: {exercise})")

    def close(self) -> None:
        click.echo("\r\033[K", err=True, nl=False)


def _grade_and_report(student_file: SubmissionFile, answers: SubmissionFile | None, output_format: str,
                      output: Path | None, grading: GradeOptions, junit: Path | None = None,
                      progress: Path | None = None, hidden_visibility: str = HIDDEN_VISIBILITY) -> None:
    """Grade, render, write; ``progress`` is the project root whose progress file records the result."""
    warm_server()  # torch loads in the fork server while the lesson and the reference load here
    lesson = load_lesson()
    live = _LiveStatus(len(select_exercises(lesson, grading.exercises))) if sys.stderr.isatty() else None
    try:
        report = grade_submission(student_file, lesson, grading, live)
    finally:
        if live is not None:
            live.close()
    if progress is not None:
        record = progress_path(progress)
        save_progress(record, load_progress(record, lesson.name).with_report(report))
    quiz_problem = None
    if answers is not None:
        try:
            quiz = _quiz_result(answers)
        except UsageError as problem:  # the exercises were graded: report them, then the bad file
            quiz, quiz_problem = None, problem
        report = dataclasses.replace(report, quiz=quiz)
    if output_format not in CREDIT_FORMATS and junit is None:
        _practice_note(report)
    if output_format == "json":
        text = render_json(report)
    elif output_format == "gradescope":
        text = render_gradescope(report, hidden_visibility)
    elif output_format == "markdown":
        text = render_markdown(report)
    else:
        text = render_text(report, color=output is None and sys.stdout.isatty(), include_lesson=not grading.exercises)
    if junit is not None:
        write_output(render_report_junit(report, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                                         socket.gethostname()), junit)
    write_output(text, output)
    if quiz_problem is not None:
        raise quiz_problem
    sys.exit(0 if report.all_passed else 1)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@_grading_options
@click.pass_context
def main(ctx: click.Context, output_format: str, output: Path | None, grading: GradeOptions,
         seed_given: int | None) -> None:
    """Grade the lesson's exercises (and quiz answers) of the project you are in.

    Exit codes: 0 everything passed, 1 graded with something short, 2 bad usage or unreadable files.
    """
    if ctx.invoked_subcommand is not None:
        return
    lesson = load_lesson()
    student_file = find_project_file(Path.cwd(), lesson.student_file)
    project = student_file.base
    _grade_and_report(student_file, SubmissionFile(project, ANSWERS_FILE), output_format, output, grading,
                      progress=project)


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@_grading_options
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML to FILE.")
@click.option("--hidden-visibility", type=click.Choice(VISIBILITIES), default=HIDDEN_VISIBILITY, show_default=True,
              help="With --format gradescope: when students see the hidden checks' results.")
@click.option("--unconfined", is_flag=True,
              help="Produce credit formats (gradescope, --junit) even where the sandbox is incomplete; they say so.")
def check(path: Path, output_format: str, output: Path | None, grading: GradeOptions, seed_given: int | None,
          junit: Path | None, hidden_visibility: str, unconfined: bool) -> None:
    """Grade PATH: the exercise .py file or its .ipynb notebook, or a directory holding it at its root or under exercises/."""
    lesson = load_lesson()
    student_file = resolve_submission(path, lesson.student_file)
    if output_format in CREDIT_FORMATS or junit is not None:
        require_confinement("grade check --format " + output_format if junit is None else "grade check --junit",
                            grading.limits, unconfined)
        seed, how = credit_seed(seed_given)
        grading = dataclasses.replace(grading, seed=seed)
        click.echo(seed_line(seed, how), err=True)
    answers = SubmissionFile(path, ANSWERS_FILE) if path.is_dir() else None
    _grade_and_report(student_file, answers, output_format, output, grading, junit,
                      hidden_visibility=hidden_visibility)


main.add_command(quiz_command)
main.add_command(quiz_key_command)


@main.command()
def doctor() -> None:
    """Show which sandbox protections are active here (exit 1 when confinement is incomplete)."""
    from grader.doctor import diagnose, render_diagnosis

    diagnosis = diagnose()
    click.echo(render_diagnosis(diagnosis), nl=False)
    sys.exit(0 if diagnosis.complete else 1)


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the results: <name>.json, gradebook.csv, summary.json, report.html.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Submissions graded at a time.  [default: the number of cores]")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Time limit per exercise, in seconds.")
@click.option("--memory-mb", type=click.IntRange(min=64), default=Limits.memory_mb, show_default=True,
              help="Memory a submission may allocate, in MiB.")
@click.option("--seed", type=int, default=None,
              help="Seed of the hidden checks' random inputs, the same for every submission.  [default: $GRADE_SEED, "
                   "else the seed of the results resumed, else a fresh random seed; never the practice seed]")
@click.option("--resume", is_flag=True, help="Keep the results of submissions whose files are unchanged.")
@click.option("--shard", metavar="I/N", help="Grade only the I-th of N slices of the submissions (for CI matrices).")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML to FILE.")
@click.option("--unconfined", is_flag=True,
              help="Grade even where the sandbox is incomplete (grade doctor); every output records it.")
def batch(submissions: Path, out: Path, jobs: int | None, timeout: float, memory_mb: int, seed: int | None, resume: bool,
          shard: str | None, junit: Path | None, unconfined: bool) -> None:
    """Grade every submission in SUBMISSIONS: each sub-directory, .py file or .ipynb notebook is one student's.

    Exit code 0 once every submission has a result, whatever the scores; 2 for bad usage.
    """
    from grader.batch import BatchOptions
    from grader.batch_cli import run_batch

    if shard is not None and seed is None and not os.environ.get(SEED_VARIABLE, "").strip():
        raise UsageError(f"--shard {shard}: every shard must grade with one seed; pass --seed N or set {SEED_VARIABLE}")
    chosen, how = credit_seed(seed, out / "summary.json" if resume else None)
    options = BatchOptions(seed=chosen, timeout=timeout, jobs=jobs or os.cpu_count() or 1, resume=resume,
                           memory_mb=memory_mb)
    run_batch(submissions, out, options, shard, junit, _quiz_result, unconfined, seed_line(chosen, how))


@main.command()
@click.argument("directories", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the merged gradebook.csv, summary.json, report.html and results.")
@click.option("--junit", type=click.Path(dir_okay=False, path_type=Path), help="Also write JUnit XML to FILE.")
def merge(directories: tuple[Path, ...], out: Path, junit: Path | None) -> None:
    """Combine the --out directories of grade batch shards into one gradebook and report."""
    from grader.batch_cli import run_merge

    run_merge(directories, out, junit)


main.add_command(watch_command)
main.add_command(hint_command)
main.add_command(list_command)
main.add_command(reset_command)
main.add_command(validate_command)
main.add_command(release_command)
