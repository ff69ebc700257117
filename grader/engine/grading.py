"""Grading one submission: build each exercise's cases, run them in a sandboxed worker, verify."""
from __future__ import annotations

import dataclasses
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from grader.core.caches import IdentityCache
from grader.core.checks import Case, Check, Tensor
from grader.engine.doctor import missing_layers
from grader.core.errors import UsageError
from grader.course.lesson import PROJECT_ROOT, Exercise, Lesson
from grader.core.model import IMPORT_ERROR_PREFIX, CheckResult, ExerciseResult, ExerciseStatus, Report
from grader.core.notebook_program import MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, NotebookError, Program, is_notebook, notebook_program
from grader.sandbox.collect import TaskEnding, TaskOutcome
from grader.sandbox.protocol import ExceptionInfo
from grader.sandbox.runner import Job, Limits, Task, run_job
from grader.sandbox.server import warm_server
from grader.core.submission import Refused, SubmissionFile
from grader.engine.verify import PassedCases, check_result, exception_text

DEFAULT_SEED = 2026


@dataclass(frozen=True)
class GradeOptions:
    seed: int = DEFAULT_SEED
    limits: Limits = Limits()
    exercises: tuple[str, ...] = ()  # empty: all of the lesson's exercises
    hide: tuple[Path, ...] = ()  # more directories the sandbox must not show (a batch's --out)


def failed_everywhere(exercise: Exercise, status: ExerciseStatus, message: str, output: str = "",
                      seconds: float = 0.0) -> ExerciseResult:
    """An exercise that could not be graded normally: every check failed with the same reason."""
    checks = tuple(CheckResult(c.name, c.points, False, c.hidden, message) for c in exercise.checks)
    return ExerciseResult(exercise.name, status, checks, exercise.hints[0], message, output, seconds)


_UNFINISHED_STATUS = {
    TaskEnding.TIMEOUT: ExerciseStatus.TIMEOUT,
    TaskEnding.CRASHED: ExerciseStatus.ERROR,
    TaskEnding.EXITED: ExerciseStatus.ERROR,
    TaskEnding.PROTOCOL_ERROR: ExerciseStatus.ERROR,
    TaskEnding.SANDBOX_ERROR: ExerciseStatus.ERROR,
}


@dataclass(frozen=True)
class _PreparedExercise:
    """An exercise's cases (trusted: they hold the expected values) and the task the worker gets."""

    exercise: Exercise
    cases: tuple[tuple[Check, tuple[Case, ...], tuple[str, ...]], ...]
    task: Task


def _frozen(value: Any) -> Any:
    """The value with every array in it made read-only: cases are shared by every grading at their seed."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, Tensor):
        _frozen(value.data)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _frozen(item)
    elif isinstance(value, dict):
        for item in value.values():
            _frozen(item)
    return value


def _freeze_case(case: Case) -> Case:
    for part in (case.args, case.expect, dict(case.kwargs), dict(case.expect_grad), case.grad_output):
        _frozen(part)
    return case


def _prepare(exercise: Exercise, lesson: Lesson, seed: int) -> _PreparedExercise:
    cases, calls = [], []
    for number, check in enumerate(exercise.checks):
        built = tuple(_freeze_case(case) for case in check.cases(lesson.reference, seed))
        ids = tuple(f"{number}.{i}" for i in range(len(built)))
        calls.extend(case.call(call_id) for case, call_id in zip(built, ids))
        cases.append((check, built, ids))
    return _PreparedExercise(exercise, tuple(cases), Task(exercise.name, calls, exercise.forbidden))


class _PreparedCache:
    """Each exercise's cases at a seed, built once per lesson: a class, or a watched file saved again and
    again, is graded against the same inputs and expected values. Trusted memory only; arrays read-only."""

    SIZE = 64

    def __init__(self) -> None:
        self._cache: IdentityCache[_PreparedExercise] = IdentityCache(self.SIZE)

    def get(self, exercise: Exercise, lesson: Lesson, seed: int) -> _PreparedExercise:
        return self._cache.get((lesson, exercise), seed, lambda: _prepare(exercise, lesson, seed))


_prepared_cases = _PreparedCache()


def prepare_cases(lesson: Lesson, seed: int, exercises: tuple[str, ...] = ()) -> None:
    """Build every selected exercise's cases at ``seed`` now (they are kept for the gradings that follow). A
    check that cannot build its cases raises its one-line UsageError here, before any submission is graded,
    rather than failing every submission of a class alike."""
    for exercise in select_exercises(lesson, exercises):
        _prepared_cases.get(exercise, lesson, seed)


def _exercise_result(prepared: _PreparedExercise, outcome: TaskOutcome, lesson: Lesson) -> ExerciseResult:
    exercise = prepared.exercise
    ending = outcome.ending
    if ending is TaskEnding.IMPORT_ERROR:
        reason = exception_text(outcome.exception)
        return failed_everywhere(exercise, ExerciseStatus.ERROR, IMPORT_ERROR_PREFIX + reason,
                                 outcome.output, outcome.seconds)
    if ending is TaskEnding.MISSING:
        return failed_everywhere(exercise, ExerciseStatus.MISSING, f"{exercise.name} is not defined in your file",
                                 outcome.output, outcome.seconds)

    unanswered = f"not run: {outcome.detail}" if ending is not TaskEnding.DONE else "no reply for this call"
    results, stubbed = [], []
    calls = tuple((case, call_id, check.hidden) for check, cases, ids in prepared.cases for case, call_id in zip(cases, ids))
    passed = PassedCases(calls, outcome.replies, exercise, lesson)
    for check, cases, ids in prepared.cases:
        result, not_implemented = check_result(check, cases, outcome.replies, ids, exercise, lesson, unanswered, passed)
        results.append(result)
        stubbed.append(not_implemented)
    results = _withhold_free_points(prepared, results)
    if ending in _UNFINISHED_STATUS:
        status = _UNFINISHED_STATUS[ending]
    elif all(stubbed):
        status = ExerciseStatus.NOT_IMPLEMENTED
    elif all(r.passed for r in results):
        status = ExerciseStatus.PASSED
    else:
        status = ExerciseStatus.FAILED
    return ExerciseResult(
        exercise.name, status, tuple(results), exercise.hints[0], outcome.detail, outcome.output, outcome.seconds
    )


WITHHELD = ("but this point counts only once one of the exercise's value checks passes: code that does nothing "
            "(returns zeros or its input, or raises for every call) does that too")


def checks_a_property(cases: tuple[Case, ...]) -> bool:
    """A check of behaviour only (the input left unchanged, an exception raised): no case judges a value."""
    return all(case.raises is not None or not case.checks_values for case in cases)


def _withhold_free_points(prepared: _PreparedExercise, results: list[CheckResult]) -> list[CheckResult]:
    """No points for doing nothing: a property check that passed counts only beside a passing value check."""
    kinds = [checks_a_property(cases) for _, cases, _ in prepared.cases]
    if all(kinds) or any(r.passed and not prop for r, prop in zip(results, kinds)):
        return results  # an exercise of properties alone, or a real attempt: every point stands
    return [dataclasses.replace(r, passed=False, message=f"{_what_held(cases)} {WITHHELD}")
            if prop and r.passed else r for r, prop, (_, cases, _) in zip(results, kinds, prepared.cases)]


def _what_held(cases: tuple[Case, ...]) -> str:
    if any(case.raises for case in cases):
        return f"{cases[0].describe}: raised {next(c.raises for c in cases if c.raises)} as it should,"
    return f"{cases[0].describe}: the input was left unchanged,"


def _knock_on(results: tuple[ExerciseResult, ...], outcomes: list[TaskOutcome]) -> tuple[ExerciseResult, ...]:
    """A failing exercise that calls the student's own function of another exercise that fails too says so:
    the cause may be there ("uses your stable_softmax, which fails its own checks")."""
    by_name = {r.name: r for r in results}
    annotated = []
    for result, outcome in zip(results, outcomes):
        used = dict.fromkeys(name for reply in outcome.replies.values() for name in reply.uses)
        failing = [name for name in used if name in by_name and name != result.name
                   and by_name[name].status not in (ExerciseStatus.PASSED, ExerciseStatus.NOT_IMPLEMENTED)]
        if result.status is not ExerciseStatus.FAILED or not failing:
            annotated.append(result)
            continue
        causes = " and ".join(f"your {name}, which fails its own checks" for name in failing)
        note = f"\nIt uses {causes}: fix {' and '.join(failing)} first; this exercise may pass once {'they pass' if len(failing) > 1 else 'it passes'}."
        checks = tuple(dataclasses.replace(c, message=c.message + note) if not c.passed else c for c in result.checks)
        annotated.append(dataclasses.replace(result, checks=checks, calls_failing=tuple(failing)))
    return tuple(annotated)


def select_exercises(lesson: Lesson, names: tuple[str, ...]) -> tuple[Exercise, ...]:
    known = [e.name for e in lesson.exercises]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(known)}")
    return tuple(e for e in lesson.exercises if not names or e.name in names)


def unrun_report(submission: str, lesson: Lesson, options: GradeOptions, status: ExerciseStatus,
                 message: str) -> Report:
    """The report of a submission that could not be graded (a refused or missing file): every selected
    exercise has ``status``, every check failed with the reason, so the report keeps its max_score."""
    exercises = tuple(failed_everywhere(e, status, message) for e in select_exercises(lesson, options.exercises))
    return Report(submission, options.seed, exercises)


def hidden_directories(lesson: Lesson, options: GradeOptions) -> tuple[str, ...]:
    """What the sandbox's root must not show even where it lies under a system directory: this grader's
    project, the course (solutions/ and quizzes/), the current directory and the caller's (the folder
    the submission came from, a class's folder in a batch; a batch's results)."""
    candidates = [PROJECT_ROOT, lesson.root, Path.cwd(), *options.hide]
    return tuple(dict.fromkeys(os.path.realpath(c) for c in candidates if c is not None))


def grade_submission(file: SubmissionFile | Path, lesson: Lesson, options: GradeOptions,
                     on_progress: Callable[[str], None] | None = None) -> Report:
    """Grade every selected exercise of one submission file in one sandboxed worker.

    The file is read here, never following a link inside its trusted directory (``SubmissionFile``;
    a plain path trusts its directory only); a file that is refused is graded 0 with the reason.
    A notebook (.ipynb) is turned into the module its code cells form, here, without running it
    (``grader.core.notebook_program``); a malformed one is graded 0 with the reason.

    The exercises run one after the other; one that hangs or crashes costs itself only (the
    runner starts a fresh worker for the rest). ``on_progress`` hears each exercise's name as its
    run ends (most end together, so only where one takes long is this worth showing).
    """
    file = file if isinstance(file, SubmissionFile) else SubmissionFile.of(file)
    report = _grade_file(file, lesson, options, on_progress)
    return report if file.choice is None else dataclasses.replace(report, choice=file.choice)


def _grade_file(file: SubmissionFile, lesson: Lesson, options: GradeOptions,
                on_progress: Callable[[str], None] | None) -> Report:
    notebook = is_notebook(file.relative)
    try:
        source = file.read(MAX_NOTEBOOK_BYTES if notebook else MAX_SOURCE_BYTES)
    except Refused as refusal:
        return unrun_report(str(file.path), lesson, options, ExerciseStatus.ERROR, refusal.message)
    program = None
    if notebook:
        try:
            program = notebook_program(source)
        except NotebookError as problem:
            return unrun_report(str(file.path), lesson, options, ExerciseStatus.ERROR,
                                f"{file.relative} {problem.message}")
        source = program.source
    options = dataclasses.replace(options, hide=(*options.hide, file.base))
    return grade_source(str(file.path), source, lesson, options, on_progress, program)


def _located(exception: ExceptionInfo | None, program: Program) -> ExceptionInfo | None:
    """The worker's exception with each frame's line named in the notebook ("cell 7, line 3")."""
    if exception is None:
        return None
    frames = tuple(dataclasses.replace(f, where=program.where(f.line)) for f in exception.frames)
    return dataclasses.replace(exception, frames=frames)


def _locate_outcome(outcome: TaskOutcome, program: Program, shown_path: str) -> TaskOutcome:
    """Line numbers of the generated module, as the worker reported them, mapped back to cells."""
    replies = {key: dataclasses.replace(reply, exception=_located(reply.exception, program))
               if reply.exception is not None else reply for key, reply in outcome.replies.items()}

    def named(match: re.Match[str]) -> str:
        where = program.where(int(match.group(2)))
        return f"{match.group(1)}{where}" if where else match.group(0)

    def warned(match: re.Match[str]) -> str:
        where = program.where(int(match.group(2)))
        return f"{match.group(1)} ({where}):" if where else match.group(0)

    quoted = re.escape(shown_path)
    # A line number has at most 9 digits: printed text may hold "line 111...1", which int() refuses past 4300 digits.
    output = re.sub(f'(File "{quoted}", )line (\\d{{1,9}})\\b', named, outcome.output)  # tracebacks
    output = re.sub(f"^({quoted}):(\\d{{1,9}}):", warned, output, flags=re.MULTILINE)  # warnings: "work.ipynb (cell 3, line 2):"
    return dataclasses.replace(outcome, replies=replies, exception=_located(outcome.exception, program), output=output)


def grade_source(shown_path: str, source: bytes, lesson: Lesson, options: GradeOptions,
                 on_progress: Callable[[str], None] | None = None, program: Program | None = None) -> Report:
    """Grade source bytes already read (``program``: where they came from, to name cells in messages)."""
    started = time.monotonic()
    warm_server()  # starts importing torch in the fork server while the cases are built here
    prepared = [_prepared_cases.get(e, lesson, options.seed) for e in select_exercises(lesson, options.exercises)]
    settled = None if on_progress is None else lambda index: on_progress(prepared[index].exercise.name)
    job = Job(shown_path, source, tuple(p.task for p in prepared), options.limits, hidden_directories(lesson, options))
    outcomes = run_job(job, settled)
    if program is not None:
        outcomes = [_locate_outcome(o, program, shown_path) for o in outcomes]
    results = _knock_on(tuple(_exercise_result(p, o, lesson) for p, o in zip(prepared, outcomes)), outcomes)
    sandboxed = [o.protections for o in outcomes if o.protections]
    unconfined = tuple(dict.fromkeys(layer for p in sandboxed for layer in missing_layers(p)))
    notes = program.notes if program is not None else ()
    return Report(shown_path, options.seed, results, None, time.monotonic() - started, unconfined, notes)
