"""GitHub Classroom's autograding result object (what its grading reporter reads).

The shape is the one education/autograding-command-grader builds (src/main.js, ``generateResult``):
``{"version": 1, "status", "max_score", "tests": [{"name", "status", "score", "message", "test_code",
"filename", "line_no", "duration"}]}``. The workflow base64-encodes it into a step output that the
reporter (education/autograding-grading-reporter) reads from ``<RUNNER>_RESULTS``. One test per
exercise, scored with its points, so partial credit reaches Classroom: the reporter's grade
(src/notify-classroom.js) is the sum of the tests' ``score`` over the runners' ``max_score``.
The quiz has no points and is not a test here.
"""
from __future__ import annotations

import json
from typing import TypedDict

from grader.core.formatting import points, printable
from grader.core.model import ExerciseResult, ExerciseStatus, Report

VERSION = 1
MESSAGE_CHARS = 500
_ERRORS = {ExerciseStatus.ERROR, ExerciseStatus.TIMEOUT, ExerciseStatus.MISSING}


def _status(exercise: ExerciseResult) -> str:
    if exercise.status is ExerciseStatus.PASSED:
        return "pass"
    return "error" if exercise.status in _ERRORS else "fail"


def _message(exercise: ExerciseResult, report: Report) -> str:
    text = f"{points(exercise.score)}/{points(exercise.max_score)} points"
    if exercise.status is ExerciseStatus.NOT_IMPLEMENTED:
        text += ": not implemented yet"
    elif exercise.detail:
        text += f": {exercise.detail}"
    else:
        failed = [f"{c.name}{' (hidden)' if c.hidden else ''}" for c in exercise.checks if not c.passed]
        if failed:
            text += f"; checks failed: {', '.join(failed)}"
        if exercise.mistakes:  # what to fix, by the name the text and JSON reports give it
            text += f"; {'mistake' if len(exercise.mistakes) == 1 else 'mistakes'} recognised: {', '.join(exercise.mistakes)}"
    if report.choice is not None:  # every test says it first: a student may look at any one of them
        text = f"[{report.choice.note}] {text}"
    text = printable(text)  # the reporter prints it in the Actions log
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


class ClassroomTest(TypedDict):
    """One test of the GitHub Classroom reporter's results."""

    name: str
    status: str  # "pass", "fail" or "error", the reporter's words
    score: float
    message: str
    test_code: str
    filename: str
    line_no: int
    duration: int  # milliseconds


class ClassroomResults(TypedDict):
    version: int
    status: str  # "pass" or "fail"
    max_score: float
    tests: list[ClassroomTest]


def classroom_dict(report: Report) -> ClassroomResults:
    tests: list[ClassroomTest] = [{
        "name": exercise.name,
        "status": _status(exercise),
        "score": float(exercise.score),
        "message": _message(exercise, report),
        "test_code": f"grade check PATH --exercise {exercise.name} --seed {report.seed}",
        "filename": report.submission,
        "line_no": 0,
        "duration": round(exercise.seconds * 1000),
    } for exercise in report.exercises]
    return {
        "version": VERSION,
        "status": "pass" if report.exercises_complete else "fail",
        "max_score": float(report.max_score),
        "tests": tests,
    }


def render_classroom(report: Report) -> str:
    return json.dumps(classroom_dict(report), indent=2) + "\n"
