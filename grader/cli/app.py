"""The ``grade`` command line. Each command parses, calls the core, renders and exits.

Errors are the core's own (``grader.core.errors``), turned into exit codes in ``grader.cli.base``.
"""
from __future__ import annotations

import dataclasses
import functools
import os
import shlex
import socket
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import click

from grader.engine.assess import Assessment, assess
from grader.cli.base import GradeGroup, Selection, require_confinement, selection, shown_path
from grader.cli.options import (course_option, excel_csv_option, exercise_option, format_option, junit_option,
                                lesson_option, memory_option, out_option, output_option, prefer_option, seed_option,
                                timeout_option, unconfined_option)
from grader.course.course import FoundAnswers, refuse_course_within, typed_path
from grader.course.project import StudentProject
from grader.core.errors import UsageError
from grader.core.formatting import counted, points
from grader.engine.grading import DEFAULT_SEED, GradeOptions, select_exercises
from grader.cli.learning import (
    hint_command,
    lessons_command,
    list_command,
    new_lesson_command,
    release_command,
    reset_command,
    restore_command,
    validate_command,
    watch_command,
)
from grader.course.lesson import Lesson
from grader.core.outputs import write_atomic
from grader.cli.quiz import default_answers_path, quiz_command
from grader.render.formats import ReportFormat, RenderSettings, render_report
from grader.render.gradescope import HIDDEN_VISIBILITY, VISIBILITIES
from grader.render.junit import render_report_junit
from grader.sandbox.runner import Limits
from grader.sandbox.server import warm_server
from grader.engine.credit import SEED_VARIABLE, credit_seed, seed_line
from grader.core.model import Report
from grader.core.submission import Prefer, SubmissionFile, ignored_copy_note, resolve_submission

GRADING_OPTIONS = ("output_format", "output", "exercises", "seed", "timeout", "memory_mb", "prefer")
CREDIT_FORMATS = (ReportFormat.GRADESCOPE, ReportFormat.CLASSROOM)  # grades that count: full confinement, or --unconfined


def write_output(text: str, output: Path | None) -> None:
    """Print, or write the file whole (never half a report)."""
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text)


def _practice_note(report: Report) -> None:
    if report.unconfined:
        click.echo(f"Note: graded without full confinement here (missing: {', '.join(report.unconfined)}); "
                   "fine for practice, see grade doctor.", err=True)


def _grading_options(function: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        format_option([f.value for f in ReportFormat], ReportFormat.TEXT.value, "Report format."),
        output_option,
        exercise_option,
        seed_option(f"Seed of the hidden checks' random inputs.  [default: {DEFAULT_SEED} for practice; for credit "
                    "formats $GRADE_SEED, else a fresh random seed]"),
        timeout_option,
        memory_option,
        prefer_option,
    ]

    @functools.wraps(function)
    def with_grading(*args: Any, output_format: str, exercises: tuple[str, ...], seed: int | None, timeout: float,
                     memory_mb: int, **kwargs: Any) -> Any:
        grading = GradeOptions(seed=DEFAULT_SEED if seed is None else seed,
                               limits=Limits(timeout=timeout, memory_mb=memory_mb), exercises=exercises)
        return function(*args, report_format=ReportFormat(output_format), grading=grading, seed_given=seed, **kwargs)

    for option in reversed(options):
        with_grading = option(with_grading)
    return with_grading


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
        self.show(f"{self.done}/{counted(self.total, 'exercise')} run (last: {exercise})")

    def close(self) -> None:
        click.echo("\r\033[K", err=True, nl=False)


def _assess(lesson: Lesson, student_file: SubmissionFile, grading: GradeOptions, answers: FoundAnswers | None,
            project: StudentProject | None) -> Assessment:
    live = _LiveStatus(len(select_exercises(lesson, grading.exercises))) if sys.stderr.isatty() else None
    try:
        return assess(lesson, student_file, grading, answers=answers.file if answers is not None else None,
                      left_out=(answers.unused,) if answers is not None and answers.unused else (), project=project,
                      on_progress=live)
    finally:
        if live is not None:
            live.close()


def _quiz_command(assessment: Assessment) -> str:
    """`grade quiz` as typed here to take the quiz whose answers the report graded: with --save when those are
    not the answers `grade quiz` finds from here (`grade check ../carol` advises carol's quiz, not this one's)."""
    command = f"{selection().command(assessment.lesson)} quiz"
    if assessment.answers is None:
        return command
    if os.path.realpath(assessment.answers) == os.path.realpath(default_answers_path(assessment.lesson)):
        return command
    return shlex.join([*shlex.split(command), "--save", typed_path(assessment.answers, Path.cwd())])


def _finish(assessments: list[Assessment], report_format: ReportFormat, output: Path | None, grading: GradeOptions,
            junit: Path | None = None, hidden_visibility: str = HIDDEN_VISIBILITY) -> None:
    """Render every assessment (one per lesson, plus a course line when there are several), write, exit.

    For credit (a credit format or --junit) a malformed quiz answers file costs the quiz only, as in a
    batch: the outputs say so and the exit code is the exercises'. Elsewhere the complete report is
    written first, then the bad file exits 2. When --exercise chose exercises, they alone decide the exit code.
    """
    credit = report_format in CREDIT_FORMATS or junit is not None
    problem = next((a.quiz_problem for a in assessments if a.quiz_problem is not None), None)
    settings = RenderSettings(color=output is None and sys.stdout.isatty(), include_lesson=not grading.exercises,
                              hidden_visibility=hidden_visibility,
                              quiz_problem=problem.message if credit and problem is not None else None)
    if not credit:
        for assessment in assessments:
            _practice_note(assessment.report)
    for assessment in assessments:
        if assessment.progress is not None and assessment.progress.notice:
            click.echo(assessment.progress.notice, err=True)
    texts = [render_report(a.report, report_format,  # advice as typed here
                           dataclasses.replace(settings, command=selection().command(a.lesson),
                                               quiz_command=_quiz_command(a)))
             for a in assessments]
    if len(assessments) > 1:
        texts.append(_course_line(assessments))
    if junit is not None:
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        write_output(render_report_junit(assessments[0].report, stamp, socket.gethostname()), junit)
    write_output("\n".join(texts), output)
    if problem is not None:  # the exercises were graded and reported: now the bad answers file
        if not credit:
            raise problem
        click.echo(f"warning: the quiz was not graded (it costs the quiz only): {problem.message}", err=True)
    if grading.exercises:  # the exercises asked for decide; the quiz is graded by `grade` and `grade quiz`
        sys.exit(0 if all(a.report.exercises_complete for a in assessments) else 1)
    sys.exit(0 if all(a.passed for a in assessments) else 1)


def _course_line(assessments: list[Assessment]) -> str:
    score = sum(a.report.score for a in assessments)
    maximum = sum(a.report.max_score for a in assessments)
    complete = sum(a.report.lesson_complete for a in assessments)
    return (f"Course: {len(assessments)} lessons graded ({', '.join(a.lesson.name for a in assessments)}); "
            f"{points(score)}/{points(maximum)} points; {complete} of {len(assessments)} lessons complete.\n")


def _refuse_group_options(ctx: click.Context) -> None:
    """Options of a bare ``grade`` given before a subcommand would be lost: say where they go instead."""
    given = [name for name in GRADING_OPTIONS
             if ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)]
    if given:
        flags = ", ".join("--" + ("format" if n == "output_format" else n.replace("_", "-").rstrip("s"))
                          for n in given)
        raise UsageError(f"{flags}: given before `{ctx.invoked_subcommand}`, where they do not apply; "
                         f"put them after it: grade {ctx.invoked_subcommand} ... {flags.split(', ')[0]} ...")


@click.group(cls=GradeGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@lesson_option
@course_option
@_grading_options
@click.pass_context
def main(ctx: click.Context, lesson: str | None, course_root: Path | None, report_format: ReportFormat,
         output: Path | None, grading: GradeOptions, seed_given: int | None, prefer: Prefer) -> None:
    """Grade the exercises (and quiz answers) of the project you are in: every lesson whose exercise
    file is there, or the one chosen with --lesson.

    Exit codes: 0 everything passed, 1 graded with something short, 2 bad usage or unreadable files.
    """
    chosen = ctx.obj = Selection(course_root.resolve() if course_root else None, lesson)
    if lesson is not None:  # an unknown lesson stops here, before any subcommand (and before any of it is imported:
        chosen.course.require(lesson)  # a credit command first makes sure the course is not the students')
    if ctx.invoked_subcommand is not None:
        _refuse_group_options(ctx)
        return
    if report_format in CREDIT_FORMATS:  # grades for credit go through check's confinement gate and credit seed
        raise UsageError(f"--format {report_format.value} gives grades for credit: use grade check PATH "
                         f"--format {report_format.value}")
    projects = chosen.projects(Path.cwd(), "grade", ", or use grade check PATH")
    if len(projects) > 1:
        if report_format is not ReportFormat.TEXT:
            raise UsageError(f"--format {report_format.value} reports one lesson; several are here "
                             f"({', '.join(p.lesson.name for p in projects)}): choose one with --lesson NAME")
        if grading.exercises:
            raise UsageError("--exercise names one lesson's exercises; several lessons are here: add --lesson NAME")
    warm_server()  # torch loads in the fork server while the lesson and the reference load here
    # The project's folder as the student sees it: reports then say exercises/NAME.py from its root.
    shown = [StudentProject(Path(shown_path(p.root)), p.lesson) for p in projects]
    assessments = [_assess(p.lesson, seen.exercise_file(prefer), grading, seen.answers(alone=len(shown) == 1), p)
                   for p, seen in zip(projects, shown)]
    _finish(assessments, report_format, output, grading)


def _submission_folder(path: Path) -> Path:
    """The folder of the student's files that PATH names: PATH, or the folder holding the file, above exercises/."""
    folder = path if path.is_dir() else path.parent
    folder = folder.resolve()
    return folder.parent if folder.name == "exercises" else folder


@main.command()
@click.argument("path", type=click.Path(path_type=Path))
@_grading_options
@junit_option
@click.option("--hidden-visibility", type=click.Choice(VISIBILITIES), default=HIDDEN_VISIBILITY, show_default=True,
              help="With --format gradescope: when students see the hidden checks' results.")
@unconfined_option("Produce credit formats (gradescope, classroom, --junit) even where the sandbox is incomplete; "
                   "they say so.")
def check(path: Path, report_format: ReportFormat, output: Path | None, grading: GradeOptions,
          seed_given: int | None, junit: Path | None, hidden_visibility: str, unconfined: bool, prefer: Prefer) -> None:
    """Grade PATH: the exercise .py file or its .ipynb notebook, or a directory holding it at its root or under exercises/.

    With several lessons in the course, the file's name says which lesson (or give --lesson).
    """
    credit = report_format in CREDIT_FORMATS or junit is not None
    if credit:
        refuse_course_within(selection().course.root, _submission_folder(path), "the submission")
    lesson = selection().for_path(path)
    student_file = resolve_submission(path, lesson.student_file, prefer)
    if path.is_dir() and (note := ignored_copy_note(path, student_file, lesson.student_file)) is not None:
        click.echo(note, err=True)
    if credit:
        sandbox = require_confinement(f"grade check --format {report_format.value}" if junit is None
                                      else "grade check --junit", grading.limits, unconfined)
        seed, how = credit_seed(seed_given)
        limits = dataclasses.replace(grading.limits, require_private_root=sandbox.complete)
        grading = dataclasses.replace(grading, seed=seed, limits=limits)
        click.echo(seed_line(seed, how), err=True)
    answers = StudentProject(path, lesson).answers() if path.is_dir() else None
    warm_server()
    _finish([_assess(lesson, student_file, grading, answers, None)], report_format, output, grading, junit,
            hidden_visibility)


main.add_command(quiz_command)
try:  # an instructor command: a student copy (grade release) does not have it
    from grader.cli.quiz_key import quiz_key_command
except ModuleNotFoundError:
    pass
else:
    main.add_command(quiz_key_command)


@main.command()
def doctor() -> None:
    """Show which sandbox protections are active here (exit 1 when confinement is incomplete)."""
    from grader.engine.doctor import diagnose, render_diagnosis

    diagnosis = diagnose()
    click.echo(render_diagnosis(diagnosis), nl=False)
    sys.exit(0 if diagnosis.complete else 1)


@main.command()
@click.argument("submissions", type=click.Path(path_type=Path))
@out_option("Directory for the results: <name>.json, gradebook.csv, summary.json, report.html.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Submissions graded at a time.  [default: the cores it may use, plus two]")
@timeout_option
@memory_option
@seed_option("Seed of the hidden checks' random inputs, the same for every submission.  [default: $GRADE_SEED, else "
             "the seed of the results resumed, else a fresh random seed; never the practice seed]")
@click.option("--resume", is_flag=True, help="Keep the results of submissions whose files are unchanged.")
@click.option("--shard", metavar="I/N|auto",
              help="Grade only the I-th of N slices of the submissions (for CI matrices); auto: the slice of this "
                   "task of a Slurm, Kubernetes or AWS Batch array job, or $GRADE_SHARD_INDEX of $GRADE_SHARD_COUNT.")
@click.option("--shard-count", type=int, default=None, metavar="N",
              help="With --shard auto: how many tasks run, where the engine does not say (Kubernetes, AWS Batch).")
@junit_option
@excel_csv_option
@unconfined_option("Grade even where the sandbox is incomplete (grade doctor); every output records it.")
@prefer_option
@click.pass_context
def batch(ctx: click.Context, submissions: Path, out: Path, jobs: int | None, timeout: float, memory_mb: int,
          seed: int | None, resume: bool, shard: str | None, shard_count: int | None, junit: Path | None,
          excel_csv: bool, unconfined: bool, prefer: Prefer) -> None:
    """Grade every submission in SUBMISSIONS: each sub-directory, .py file or .ipynb notebook is one student's.

    The lesson is the course's only one, or the one chosen with grade --lesson NAME batch.
    Exit code 0 once every submission has a result, whatever the scores; 2 for bad usage.
    """
    from grader.batch.runs import BatchOptions, default_jobs
    from grader.cli.batch import run_batch
    from grader.batch.shards import choose_shard

    refuse_course_within(selection(ctx).course.root, submissions, "the class folder")
    lesson = selection(ctx).lesson_or_sole()
    if lesson.released:  # its answers are recorded at the practice seed only, and credit never grades at that seed
        raise UsageError(f"grade batch grades for credit at a seed other than the practice seed, and this student "
                         f"copy grades with seed {DEFAULT_SEED} only: run it in the instructor's project (with solutions/)")
    placed = choose_shard(shard, os.environ, shard_count)
    if placed is not None and seed is None and not os.environ.get(SEED_VARIABLE, "").strip():
        raise UsageError(f"--shard {shard}: every shard must grade with one seed; pass --seed N or set {SEED_VARIABLE}")
    chosen, how = credit_seed(seed, out / "summary.json" if resume else None)
    options = BatchOptions(seed=chosen, timeout=timeout, jobs=jobs or default_jobs(), resume=resume,
                           memory_mb=memory_mb, prefer=prefer)
    run_batch(lesson, submissions, out, options, placed, junit, unconfined, seed_line(chosen, how), excel_csv)


@main.command()
@click.argument("directories", nargs=-1, required=True, type=click.Path(path_type=Path))
@out_option("Directory for the merged gradebook.csv, summary.json, report.html and results.")
@junit_option
@excel_csv_option
@click.pass_context
def merge(ctx: click.Context, directories: tuple[Path, ...], out: Path, junit: Path | None, excel_csv: bool) -> None:
    """Combine the --out directories of grade batch shards into one gradebook and report."""
    from grader.cli.batch import run_merge

    run_merge(selection(ctx).lesson_or_sole(), directories, out, junit, excel_csv)


for command in (watch_command, hint_command, list_command, reset_command, restore_command, validate_command,
                release_command, lessons_command, new_lesson_command):
    main.add_command(command)
