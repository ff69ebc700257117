"""The learning loop (watch, hint, list, reset) and the course author's tools (lessons, validate,
release, new-lesson).

Commands parse, call the core, render with ``learning_render`` and exit. Progress (one file per
lesson at the project's root) is written by ``grade hint`` (the tiers seen), ``grade list`` and
``grade watch`` (the last graded status and points of each exercise).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from grader.engine.assess import assess
from grader.cli.base import GradeCommand, selection, shown_path
from grader.cli.options import exercise_option, prefer_option, seed_option, timeout_option
from grader.core.errors import UsageError
from grader.engine.grading import DEFAULT_SEED, GradeOptions, select_exercises
from grader.cli.learning_render import (
    render_hints,
    render_lessons,
    render_list,
    render_new_lesson,
    render_next,
    render_release,
    render_strays,
    render_validation,
    render_watch_status,
)
from grader.course.course import COURSE_VARIABLE, enclosing_course
from grader.course.project import StudentProject
from grader.course.lesson import Lesson
from grader.course.progress import load_progress, reset_progress, save_progress
from grader.render.text import render_text
from grader.sandbox.runner import Limits, deferred_teardowns
from grader.core.submission import Prefer, SubmissionFile, resolve_submission
from grader.cli.watch import POLL_SECONDS, redraw, watch_for_saves


@click.command("watch", cls=GradeCommand)
@click.argument("path", required=False, type=click.Path(path_type=Path))
@exercise_option
@seed_option("Seed of the hidden checks' random inputs.", default=DEFAULT_SEED)
@timeout_option
@click.option("--interval", type=click.FloatRange(min=0.05), default=POLL_SECONDS, show_default=True,
              help="How often to look at the file, in seconds, where the file system does not report saves "
                   "(a change is graded once it has held that long).")
@prefer_option
def watch_command(path: Path | None, exercises: tuple[str, ...], seed: int, timeout: float, interval: float,
                  prefer: Prefer) -> None:
    """Grade the exercise file now and again every time it is saved. Ctrl-C stops (exit code 0).

    PATH defaults to the project's exercise file; a watch of the project's file records progress.
    """
    chosen = selection()
    if path is not None:
        lesson = chosen.for_path(path)
        found = resolve_submission(path, lesson.student_file, prefer)
        around = StudentProject.find(Path.cwd(), lesson)
    else:
        projects = chosen.projects(Path.cwd(), "grade watch", ", or give the file: grade watch PATH")
        if len(projects) > 1:
            raise UsageError(f"several lessons here ({', '.join(p.lesson.name for p in projects)}): choose one with "
                             f"{chosen.command()} --lesson NAME watch, or give the file: grade watch PATH")
        around = projects[0]
        lesson = around.lesson
        found = around.exercise_file(prefer)
    select_exercises(lesson, exercises)
    student_file = Path(shown_path(found.path))
    choice = found.choice  # chosen once, when the watch starts: the file watched is the one graded
    project = around if around is not None and around.owns(student_file) else None  # records progress
    command = chosen.command(lesson)
    options = GradeOptions(seed=seed, limits=Limits(timeout=timeout), exercises=exercises)
    interactive = sys.stdout.isatty()

    def grade_once(target: Path) -> None:
        assessment = assess(lesson, SubmissionFile(target.parent, target.name, choice), options, project=project)
        report = assessment.report
        if assessment.progress is not None and assessment.progress.notice:
            click.echo(assessment.progress.notice, err=True)
        # The hints asked for so far (grade hint); the first tier, shown here unasked, is not recorded as seen.
        progress = assessment.progress
        screen = render_text(report, color=interactive, include_lesson=not exercises, command=command)
        screen += "\n" + render_next(report, lesson, progress, command)
        screen += "\n" + render_watch_status(shown_path(target), time.strftime("%H:%M:%S"))
        if interactive:
            screen = redraw(screen)  # over the last report, in place
        else:
            click.echo("\n" + "=" * 40)
        click.echo(screen, nl=False)
        sys.stdout.flush()

    try:
        with deferred_teardowns():  # the report is drawn while the worker that graded it ends
            watch_for_saves(student_file, grade_once, poll=interval)
    except KeyboardInterrupt:
        click.echo("\nStopped watching.")


def _lesson_with_exercise(exercise: str) -> Lesson:
    """The --lesson chosen or the only lesson; with several, the one that has this exercise."""
    chosen = selection()
    if chosen.lesson is not None or len(chosen.course.names()) == 1:
        return chosen.lesson_or_sole()
    owners = [lesson for lesson in chosen.course.lessons() if exercise in {e.name for e in lesson.exercises}]
    if len(owners) != 1:
        where = "several lessons have" if owners else "no lesson has"
        raise UsageError(f"{where} an exercise {exercise!r}: choose the lesson with {chosen.command()} --lesson NAME "
                         f"hint {exercise}")
    return owners[0]


@click.command("hint", cls=GradeCommand)
@click.argument("exercise")
def hint_command(exercise: str) -> None:
    """Show the next hint for EXERCISE: the concept, then the formula, then the common bug.

    Each call shows one more tier (and the ones before it); the tiers seen are kept in the
    lesson's progress file at the project's root.
    """
    lesson = _lesson_with_exercise(exercise)
    chosen = select_exercises(lesson, (exercise,))[0]
    path = selection().project(lesson, "grade hint").progress_path
    progress = load_progress(path, lesson.name)
    if progress.notice:
        click.echo(progress.notice, err=True)
    seen = progress.exercise(chosen.name).hints_seen
    shown = min(seen + 1, len(chosen.hints))
    save_progress(path, progress.with_hints_seen(chosen.name, shown))
    click.echo(render_hints(chosen, shown, seen < shown, lesson.student_file, selection().command(lesson)), nl=False)


@click.command("list", cls=GradeCommand)
@timeout_option
@prefer_option
@click.pass_context
def list_command(ctx: click.Context, timeout: float, prefer: Prefer) -> None:
    """Grade the project and list each exercise's status and points, the quiz and the lesson's completion.

    Every lesson whose exercise file is in the project (or the one chosen with --lesson).
    Exit code 0 when each lesson is complete (every exercise full marks, the quiz passed), else 1.
    """
    complete = True
    texts = []
    projects = selection(ctx).projects(Path.cwd(), "grade list")
    for project in projects:
        lesson = project.lesson
        found = project.exercise_file(prefer)
        student_file = found.path
        answers = project.answers(alone=len(projects) == 1)
        assessment = assess(lesson, found, GradeOptions(limits=Limits(timeout=timeout)), answers=answers.file,
                            left_out=(answers.unused,) if answers.unused else (), project=project)
        if assessment.quiz_problem is not None:
            raise assessment.quiz_problem
        assert assessment.progress is not None
        if assessment.progress.notice:
            click.echo(assessment.progress.notice, err=True)
        quiz = assessment.report.quiz
        texts.append(render_list(lesson, assessment.report, quiz, lesson.load_quiz().needed, assessment.progress,
                                 shown_path(student_file), selection(ctx).command(lesson), color=sys.stdout.isatty()))
        complete = complete and assessment.report.lesson_complete
    click.echo("\n".join(texts), nl=False)
    ctx.exit(0 if complete else 1)


@click.command("reset", cls=GradeCommand)
def reset_command() -> None:
    """Forget the hints seen and the last results (the progress file). Your code and quiz answers stay."""
    answers = []
    for project in selection().projects(Path.cwd(), "grade reset"):
        path, lesson = project.progress_path, project.lesson
        if reset_progress(path):
            click.echo(f"Deleted {shown_path(path)}: the hints you have seen and your last results are forgotten.")
        else:
            click.echo(f"Nothing to reset: there is no {shown_path(path)}.")
        answers.append(lesson.answers_file)
    click.echo(f"Your code (exercises/) and your quiz answers ({', '.join(answers)}) are untouched.")


@click.command("lessons", cls=GradeCommand)
def lessons_command() -> None:
    """List the course's lessons: name, title, exercises, points and quiz."""
    course = selection().course
    click.echo(render_lessons(course.lessons(), course.root, course.command()), nl=False)


@click.command("validate", cls=GradeCommand)
@timeout_option
@click.pass_context
def validate_command(ctx: click.Context, timeout: float) -> None:
    """Check every lesson, or the one chosen with --lesson (course authors; runs in CI): reference full
    marks, stubs zero, known mistakes caught.

    Each known-wrong implementation (known_wrong/<mistake>.py) must lose points on its exercise and be
    named there; every exercise needs three hint tiers; the quiz must load with one correct choice per
    question. Exit code 0 when everything passes, 1 with the list of failures, 2 outside the project.
    """
    chosen = selection(ctx)
    from grader.authoring.validate import validate_lesson  # the author's tools load only for their commands

    validations = [validate_lesson(lesson, limits=Limits(timeout=timeout)) for lesson in chosen.lessons()]
    strays = () if chosen.lesson else chosen.course.strays()
    texts = [render_validation(v, color=sys.stdout.isatty()) for v in validations]
    if strays:
        texts.append(render_strays(strays))
    click.echo("\n".join(texts), nl=False)
    ctx.exit(0 if all(v.passed for v in validations) and not strays else 1)


@click.command("release", cls=GradeCommand)
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-verify", is_flag=True, help="Skip grading the copy with its own grader (faster; not for a real release).")
@click.pass_context
def release_command(ctx: click.Context, out: Path, no_verify: bool) -> None:
    """Write the student copy to OUT (a new or empty folder): stubs, quiz, grader, README; no solutions.

    Every lesson of the course, or the one chosen with --lesson. The copy grades with the reference's
    answers recorded at seed 2026. Before it is written it is graded with its own grader (the stubs,
    the reference, every known-wrong variant) and must give the same reports as this project.
    Exit code 0 written, 1 refused (the list says why), 2 bad usage.
    """
    from grader.authoring.release import release_course

    release = release_course(selection(ctx).lessons(), out, verify=not no_verify)
    click.echo(render_release(release, DEFAULT_SEED), nl=False)
    ctx.exit(0 if release.written else 1)


@click.command("new-lesson", cls=GradeCommand)
@click.argument("name")
@click.option("--title", help="The lesson's title [default: NAME in words].")
def new_lesson_command(name: str, title: str | None) -> None:
    """Write a new lesson's files with placeholders that validate: exercises/NAME.py, solutions/NAME.py,
    quizzes/NAME.yaml and grader/lessons/NAME/ (see docs/writing-a-lesson.md)."""
    chosen = selection()
    if chosen.course_root is None and not os.environ.get(COURSE_VARIABLE) and enclosing_course(Path.cwd()) is None:
        # Outside any course the fallback is the project holding this grader: never where a new lesson belongs.
        raise UsageError(f"no course here: no grader/lessons/ in {Path.cwd()} or above. Start a course here with "
                         "`mkdir -p grader/lessons`, or name one with `grade --course DIR new-lesson NAME`")
    course = chosen.course
    if any(lesson.released for lesson in course.lessons()):  # a student copy would become a course of two lessons
        raise UsageError("grade new-lesson works in the instructor's course: this is a student copy (no solutions/)")
    from grader.authoring.scaffold import new_lesson

    scaffold = new_lesson(course.root, name, title)
    click.echo(render_new_lesson(scaffold, course.root, course.command(scaffold.name)), nl=False)


@click.command("restore", cls=GradeCommand)
@click.argument("exercise")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(exercise: str, yes: bool) -> None:
    """Put one exercise's stub back in your exercise file, replacing your code of that function (asks first).

    The rest of the file stays as it is. The stub comes from the grader's copy of the released exercise file.
    """
    from grader.core.outputs import write_atomic
    from grader.course.restore import pristine_stub_path, read_student_file, restore_function

    lesson = _lesson_with_exercise(exercise)
    chosen = select_exercises(lesson, (exercise,))[0]
    project = selection().project(lesson, "grade restore")
    pristine = pristine_stub_path(lesson)
    if pristine is None:
        raise UsageError(f"no released stub of {lesson.student_file} in this grader: grade restore works in a student "
                         "copy (grade release); in the instructor's project, the stub is its own exercise file "
                         "(git checkout restores it)")
    student = SubmissionFile(project.root, f"exercises/{lesson.student_file}")
    shown = shown_path(student.path)
    current = read_student_file(student)
    restoration = restore_function(current, pristine.read_text(encoding="utf-8"), chosen.name, shown)
    if restoration.text == current:
        click.echo(f"{chosen.name} in {shown} is already the stub: nothing to restore.")
        return
    if restoration.replaced is None:
        question = f"{shown} has no function {chosen.name}: add its stub at the end of the file?"
    else:
        first, last = restoration.replaced
        question = (f"Replace {chosen.name} in {shown} (lines {first}-{last}, your code of it) with the stub? "
                    "Your code of it is lost")
    try:
        confirmed = yes or click.confirm(question, default=False)
    except click.Abort as abort:  # the end of input before an answer: no is the answer (Ctrl-C stays Ctrl-C)
        if isinstance(abort.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        click.echo()
        confirmed = False
    if not confirmed:
        click.echo("Nothing changed.")
        sys.exit(1)
    write_atomic(student.path, restoration.text)
    click.echo(f"Restored the stub of {chosen.name} in {shown}; the rest of the file is unchanged.")
