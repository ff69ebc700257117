"""Grading one submission: build each exercise's cases, run them in a sandboxed worker, verify."""
from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from grader.lesson import Exercise, Lesson
from grader.model import CheckResult, ExerciseResult, ExerciseStatus, Report
from grader.sandbox.runner import Job, JobOutcome, Limits, run_job
from grader.verify import check_result, describe_exception

DEFAULT_SEED = 2026


@dataclass(frozen=True)
class GradeOptions:
    seed: int = DEFAULT_SEED
    limits: Limits = Limits()
    exercises: tuple[str, ...] = ()  # empty: all of the lesson's exercises
    jobs: int = 0  # parallel workers; 0: one per core

    def worker_count(self) -> int:
        return self.jobs or os.cpu_count() or 1


def _failed_everywhere(exercise: Exercise, status: ExerciseStatus, message: str, outcome: JobOutcome) -> ExerciseResult:
    checks = tuple(CheckResult(c.name, c.points, False, c.hidden, message) for c in exercise.checks)
    return ExerciseResult(exercise.name, status, checks, exercise.hints[0], message, outcome.output, outcome.seconds)


_UNFINISHED_STATUS = {
    "timeout": ExerciseStatus.TIMEOUT,
    "crashed": ExerciseStatus.ERROR,
    "exited": ExerciseStatus.ERROR,
    "protocol_error": ExerciseStatus.ERROR,
}


def grade_exercise(path: Path, exercise: Exercise, lesson: Lesson, options: GradeOptions) -> ExerciseResult:
    reference = lesson.reference
    built = [(check, check.cases(reference, options.seed)) for check in exercise.checks]
    calls, ids = [], []
    for number, (_, cases) in enumerate(built):
        check_ids = tuple(f"{number}.{i}" for i in range(len(cases)))
        calls.extend(case.call(call_id) for case, call_id in zip(cases, check_ids))
        ids.append(check_ids)
    outcome = run_job(Job(path, exercise.name, calls, options.limits))

    if outcome.ending == "import_error":
        reason = describe_exception(outcome.exception or {})
        return _failed_everywhere(exercise, ExerciseStatus.ERROR, f"your file could not be imported: {reason}", outcome)
    if outcome.ending == "missing":
        return _failed_everywhere(exercise, ExerciseStatus.MISSING, f"{exercise.name} is not defined in your file", outcome)

    unanswered = f"not run: {outcome.detail}" if outcome.ending != "done" else "no reply for this call"
    results, stubbed = [], []
    for (check, cases), check_ids in zip(built, ids):
        result, not_implemented = check_result(check, cases, outcome.replies, check_ids, exercise, lesson, unanswered)
        results.append(result)
        stubbed.append(not_implemented)
    if outcome.ending in _UNFINISHED_STATUS:
        status = _UNFINISHED_STATUS[outcome.ending]
    elif all(stubbed):
        status = ExerciseStatus.NOT_IMPLEMENTED
    elif all(r.passed for r in results):
        status = ExerciseStatus.PASSED
    else:
        status = ExerciseStatus.FAILED
    return ExerciseResult(
        exercise.name, status, tuple(results), exercise.hints[0], outcome.detail, outcome.output, outcome.seconds
    )


def select_exercises(lesson: Lesson, names: tuple[str, ...]) -> tuple[Exercise, ...]:
    from grader.errors import UsageError

    known = [e.name for e in lesson.exercises]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(f"unknown exercise {unknown[0]!r}; choose from: {', '.join(known)}")
    return tuple(e for e in lesson.exercises if not names or e.name in names)


def grade_submission(
    path: Path,
    lesson: Lesson,
    options: GradeOptions,
    on_exercise: Callable[[ExerciseResult], None] | None = None,
) -> Report:
    """Grade every selected exercise of one submission file; exercises run in parallel workers."""
    started = time.monotonic()
    exercises = select_exercises(lesson, options.exercises)
    lesson.reference  # import the reference before the threads need it  # noqa: B018
    with ThreadPoolExecutor(max_workers=options.worker_count()) as pool:
        futures = [pool.submit(grade_exercise, path, e, lesson, options) for e in exercises]
        results = []
        for future in futures:
            results.append(future.result())
            if on_exercise is not None:
                on_exercise(results[-1])
    return Report(str(path), options.seed, tuple(results), None, time.monotonic() - started)
