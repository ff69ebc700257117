"""Gradescope's autograder results.json (what run_autograder writes to /autograder/results/).

Every check is one test. Hidden checks get ``after_published`` visibility by default (or the one
chosen), so neither their results nor their messages reach the student before then; the top-level
output, which students see at once, names only public results and says when the hidden ones show.
Gradescope's specification: while any test is hidden from a student, so is the total score.
"""
from __future__ import annotations

import json
from typing import TypedDict

from grader.core.model import ConfinementDict, ExerciseStatus, Report
from grader.core.formatting import counted, percent, points, threshold
from grader.render.json_report import confinement_dict

HIDDEN_VISIBILITY = "after_published"
# Said of an exercise that did not run normally; "passed" or "failed" would give hidden results away.
_RUN_PROBLEMS = {
    ExerciseStatus.NOT_IMPLEMENTED: "not implemented yet",
    ExerciseStatus.MISSING: "missing from your file",
    ExerciseStatus.ERROR: "error",
    ExerciseStatus.TIMEOUT: "timed out",
}


# When hidden checks' results reach students, per --hidden-visibility (Gradescope's visibility values).
WHEN_SHOWN = {
    "hidden": "Hidden checks count too; their results are never shown to students, so neither is your total score "
              "(your instructor sees both).",
    "after_due_date": "Hidden checks count too; their results, and your total score, appear after the due date.",
    "after_published": "Hidden checks count too; their results, and your total score, appear once grades are "
                       "published.",
    "visible": "Hidden checks count too; their results are listed below with the others.",
}


def _overview(report: Report, hidden_visibility: str, quiz_problem: str | None) -> str:
    lines = [f"Graded {counted(len(report.exercises), 'exercise')} (seed {report.seed})."]
    if report.choice is not None:
        lines.append(f"NOTE: {report.choice.note}.")
    lines += [f"Left out of grading: {note}" for note in report.notes]  # an answers file not used, IPython lines
    if report.unconfined:
        lines.append(f"NOTE: graded WITHOUT full confinement (missing: {', '.join(report.unconfined)}).")
    import_error, file_problem = report.import_error, report.file_problem
    if import_error is not None or file_problem is not None:  # once, with the reason, not one line per exercise
        what = "Your file could not be imported" if import_error is not None else "Your file could not be graded"
        lines += [f"{what}, so none of the {counted(len(report.exercises), 'exercise')} could run:",
                  *(f"    {line}" for line in (import_error or file_problem or "").splitlines()),
                  "Fix this first, then submit again."]
    for exercise in report.exercises if import_error is None and file_problem is None else ():
        public = [c for c in exercise.checks if not c.hidden]
        passed = sum(c.passed for c in public)
        status = _RUN_PROBLEMS.get(exercise.status)
        line = f"- {exercise.name}: {passed}/{len(public)} public checks passed"
        lines.append(line + (f" ({status})" if status else ""))
    if any(check.hidden for exercise in report.exercises for check in exercise.checks):
        lines.append(WHEN_SHOWN[hidden_visibility])
    if quiz_problem is not None:
        lines.append(f"Quiz: not graded: {quiz_problem}")
    elif report.quiz is not None:
        quiz = report.quiz
        lines.append(f"Quiz: {quiz.score}/{quiz.total} = {percent(quiz.percent)}%, {'passed' if quiz.passed else 'not passed'}.")
    return "\n".join(lines) + "\n"


class GradescopeTest(TypedDict):
    """One test of Gradescope's results.json."""

    name: str
    number: str
    score: float
    max_score: float
    status: str  # "passed" or "failed", Gradescope's words
    output: str
    tags: list[str]
    visibility: str


class GradescopeExtra(TypedDict):
    seed: int
    max_score: float
    score_text: str
    confinement: ConfinementDict


class GradescopeResults(TypedDict):
    """Gradescope's results.json, as this grader writes it."""

    score: float
    execution_time: float
    output: str
    output_format: str
    visibility: str
    extra_data: GradescopeExtra
    tests: list[GradescopeTest]


def gradescope_dict(report: Report, hidden_visibility: str = HIDDEN_VISIBILITY,
                    quiz_problem: str | None = None) -> GradescopeResults:
    """``quiz_problem``: why the quiz answers could not be read; it costs the quiz only (a failed 0-point test)."""
    tests: list[GradescopeTest] = []
    for number, exercise in enumerate(report.exercises, 1):
        for sub, check in enumerate(exercise.checks, 1):
            tests.append({
                "name": f"{exercise.name}: {check.name}",
                "number": f"{number}.{sub}",
                "score": float(check.points),
                "max_score": float(check.max_points),
                "status": "passed" if check.passed else "failed",
                "output": check.message if not check.passed else "",
                "tags": [exercise.name] + (["hidden"] if check.hidden else []),
                "visibility": hidden_visibility if check.hidden else "visible",
            })
    if quiz_problem is not None:
        tests.append({
            "name": "mastery quiz",
            "number": f"{len(report.exercises) + 1}.1",
            "score": 0.0,
            "max_score": 0.0,
            "status": "failed",
            "output": f"not graded: {quiz_problem}",
            "tags": ["quiz"],
            "visibility": "visible",
        })
    elif report.quiz is not None:
        quiz = report.quiz
        tests.append({
            "name": "mastery quiz",
            "number": f"{len(report.exercises) + 1}.1",
            "score": 0.0,
            "max_score": 0.0,
            "status": "passed" if quiz.passed else "failed",
            "output": f"{quiz.score}/{quiz.total} = {percent(quiz.percent)}% (a pass needs more than {threshold(quiz.pass_above)})",
            "tags": ["quiz"],
            "visibility": "visible",
        })
    return {
        "score": float(report.score),
        "execution_time": round(report.seconds, 3),
        "output": _overview(report, hidden_visibility, quiz_problem),
        "output_format": "text",
        "visibility": "visible",
        "extra_data": {"seed": report.seed, "max_score": float(report.max_score),
                       "score_text": f"{points(report.score)}/{points(report.max_score)}",
                       "confinement": confinement_dict(report.unconfined)},
        "tests": tests,
    }


VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def render_gradescope(report: Report, hidden_visibility: str = HIDDEN_VISIBILITY, quiz_problem: str | None = None) -> str:
    return json.dumps(gradescope_dict(report, hidden_visibility, quiz_problem), indent=2) + "\n"
