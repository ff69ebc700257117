"""The learning loop (watch, hint, list, reset) and the course author's tools (validate, release).

Commands gather options, call the core and hand its results to ``learning_render``. Progress
(``.grade-progress.json`` at the project's root) is written by ``grade hint`` (the tiers seen),
``grade list`` and ``grade watch`` (the last graded status and points of each exercise).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from grader.errors import UsageError
from grader.grading import DEFAULT_SEED, GradeOptions, grade_submission, select_exercises
from grader.learning_render import (
    lesson_complete,
    next_exercise,
    render_hints,
    render_list,
    render_next,
    render_release,
    render_validation,
    render_watch_status,
)
from grader.lesson import Lesson, load_lesson
from grader.progress import load_progress, progress_path, reset_progress, save_progress
from grader.quiz import ANSWERS_FILE, DEFAULT_QUIZ, load_answers, load_quiz, score_quiz
from grader.release import release_lesson
from grader.render.text import render_text
from grader.sandbox.runner import Limits
from grader.submission import find_project_root, resolve_submission
from grader.validate import validate_lesson
from grader.watch import POLL_SECONDS, redraw, watch_for_saves

timeout_option = click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
                              help="Time limit per exercise, in seconds.")


def project_root(lesson: Lesson, command: str) -> Path:
    root = find_project_root(Path.cwd(), lesson.student_file)
    if root is None:
        raise UsageError(f"no exercises/{lesson.student_file} in {Path.cwd()} or above: run grade {command} inside the project")
    return root


def _shown(path: Path) -> str:
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


@click.command("watch")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--exercise", "exercises", multiple=True, metavar="NAME", help="Grade only this exercise (repeatable).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Seed of the hidden checks' random inputs.")
@timeout_option
@click.option("--interval", type=click.FloatRange(min=0.05), default=POLL_SECONDS, show_default=True,
              help="How often to look at the file, in seconds, where the file system does not report saves "
                   "(a change is graded once it has held that long).")
def watch_command(path: Path | None, exercises: tuple[str, ...], seed: int, timeout: float, interval: float) -> None:
    """Grade the exercise file now and again every time it is saved. Ctrl-C stops (exit code 0).

    PATH defaults to the project's exercise file; a watch of the project's file records progress.
    """
    lesson = load_lesson()
    root = find_project_root(Path.cwd(), lesson.student_file)
    if path is not None:
        student_file = resolve_submission(path, lesson.student_file).path
    elif root is not None:
        student_file = root / "exercises" / lesson.student_file
    else:
        raise UsageError(f"no exercises/{lesson.student_file} in {Path.cwd()} or above: run grade watch inside "
                         "the project, or give the file: grade watch PATH")
    select_exercises(lesson, exercises)
    student_file = Path(_shown(student_file))
    own_project = root is not None and student_file.resolve() == (root / "exercises" / lesson.student_file).resolve()
    record = progress_path(root) if own_project and root is not None else None
    options = GradeOptions(seed=seed, limits=Limits(timeout=timeout), exercises=exercises)
    interactive = sys.stdout.isatty()

    def grade_once(target: Path) -> None:
        report = grade_submission(target, lesson, options)
        progress = None
        if record is not None:
            progress = load_progress(record, lesson.name).with_report(report)
            upcoming = next_exercise(report)
            if upcoming is not None:
                progress = progress.with_hints_seen(upcoming.name, 1)  # the watch screen shows the first tier
            save_progress(record, progress)
        screen = render_text(report, color=interactive, include_lesson=not exercises)
        screen += "\n" + render_next(report, lesson, progress)
        screen += "\n" + render_watch_status(_shown(target), time.strftime("%H:%M:%S"))
        if interactive:
            screen = redraw(screen)  # over the last report, in place
        else:
            click.echo("\n" + "=" * 40)
        click.echo(screen, nl=False)
        sys.stdout.flush()

    try:
        watch_for_saves(student_file, grade_once, poll=interval)
    except KeyboardInterrupt:
        click.echo("\nStopped watching.")


@click.command("hint")
@click.argument("exercise")
def hint_command(exercise: str) -> None:
    """Show the next hint for EXERCISE: the concept, then the formula, then the common bug.

    Each call shows one more tier (and the ones before it); the tiers seen are kept in
    .grade-progress.json at the project's root.
    """
    lesson = load_lesson()
    chosen = select_exercises(lesson, (exercise,))[0]
    path = progress_path(project_root(lesson, "hint"))
    progress = load_progress(path, lesson.name)
    seen = progress.exercise(chosen.name).hints_seen
    shown = min(seen + 1, len(chosen.hints))
    save_progress(path, progress.with_hints_seen(chosen.name, shown))
    click.echo(render_hints(chosen, shown, seen < shown, lesson.student_file), nl=False)


@click.command("list")
@timeout_option
@click.pass_context
def list_command(ctx: click.Context, timeout: float) -> None:
    """Grade the project and list each exercise's status and points, the quiz and the lesson's completion.

    Exit code 0 when the lesson is complete (every exercise full marks, the quiz passed), else 1.
    """
    lesson = load_lesson()
    root = project_root(lesson, "list")
    student_file = root / "exercises" / lesson.student_file
    report = grade_submission(student_file, lesson, GradeOptions(limits=Limits(timeout=timeout)))
    quiz = load_quiz(DEFAULT_QUIZ)
    answers = root / ANSWERS_FILE
    quiz_result = score_quiz(quiz, load_answers(answers, quiz)) if answers.is_file() else None
    path = progress_path(root)
    progress = load_progress(path, lesson.name).with_report(report)
    save_progress(path, progress)
    click.echo(render_list(lesson, report, quiz_result, quiz.needed, progress, _shown(student_file),
                           color=sys.stdout.isatty()), nl=False)
    ctx.exit(0 if lesson_complete(report, quiz_result) else 1)


@click.command("reset")
def reset_command() -> None:
    """Forget the hints seen and the last results (.grade-progress.json). Your code and quiz answers stay."""
    lesson = load_lesson()
    path = progress_path(project_root(lesson, "reset"))
    if reset_progress(path):
        click.echo(f"Deleted {_shown(path)}: the hints you have seen and your last results are forgotten.")
    else:
        click.echo(f"Nothing to reset: there is no {_shown(path)}.")
    click.echo(f"Your code (exercises/) and your quiz answers ({ANSWERS_FILE}) are untouched.")


@click.command("validate")
@timeout_option
@click.pass_context
def validate_command(ctx: click.Context, timeout: float) -> None:
    """Check the lesson (course authors; runs in CI): reference full marks, stubs zero, known mistakes caught.

    Each known-wrong implementation (known_wrong/<mistake>.py) must lose points on its exercise and be
    named there; every exercise needs three hint tiers; the quiz must load with one correct choice per
    question. Exit code 0 when everything passes, 1 with the list of failures, 2 outside the project.
    """
    validation = validate_lesson(load_lesson(), limits=Limits(timeout=timeout))
    click.echo(render_validation(validation, color=sys.stdout.isatty()), nl=False)
    ctx.exit(0 if validation.passed else 1)


@click.command("release")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-verify", is_flag=True, help="Skip grading the copy with its own grader (faster; not for a real release).")
@click.pass_context
def release_command(ctx: click.Context, out: Path, no_verify: bool) -> None:
    """Write the student copy to OUT (a new or empty folder): stubs, quiz, grader, README; no solutions.

    The copy grades with the reference's answers recorded at seed 2026. Before it is written it is
    graded with its own grader (the stubs, the reference, every known-wrong variant) and must give
    the same reports as this project. Exit code 0 written, 1 refused (the list says why), 2 bad usage.
    """
    release = release_lesson(load_lesson(), out, verify=not no_verify)
    click.echo(render_release(release, DEFAULT_SEED), nl=False)
    ctx.exit(0 if release.written else 1)
