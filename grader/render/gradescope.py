"""Gradescope's autograder results.json (what run_autograder writes to /autograder/results/).

Every check is one test. Hidden checks get ``after_published`` visibility, so neither their
results nor their messages reach the student before the instructor publishes grades; the top-level
output, which students see at once, names only public results.
"""
from __future__ import annotations

import json
from typing import Any

from grader.model import ExerciseStatus, Report
from grader.formatting import points, threshold
from grader.render.json_report import confinement_dict

HIDDEN_VISIBILITY = "after_published"
# Said of an exercise that did not run normally; "passed" or "failed" would give hidden results away.
_RUN_PROBLEMS = {
    ExerciseStatus.NOT_IMPLEMENTED: "not implemented yet",
    ExerciseStatus.MISSING: "missing from your file",
    ExerciseStatus.ERROR: "error",
    ExerciseStatus.TIMEOUT: "timed out",
}


def _overview(report: Report) -> str:
    lines = [f"Graded {len(report.exercises)} exercises (seed {report.seed})."]
    if report.unconfined:
        lines.append(f"NOTE: graded WITHOUT full confinement (missing: {', '.join(report.unconfined)}).")
    for exercise in report.exercises:
        public = [c for c in exercise.checks if not c.hidden]
        passed = sum(c.passed for c in public)
        status = _RUN_PROBLEMS.get(exercise.status)
        line = f"- {exercise.name}: {passed}/{len(public)} public checks passed"
        lines.append(line + (f" ({status})" if status else ""))
    lines.append("Hidden checks count too; their results appear once grades are published.")
    if report.quiz is not None:
        quiz = report.quiz
        lines.append(f"Quiz: {quiz.score}/{quiz.total} = {quiz.percent:g}%, {'passed' if quiz.passed else 'not passed'}.")
    return "\n".join(lines) + "\n"


def gradescope_dict(report: Report, hidden_visibility: str = HIDDEN_VISIBILITY) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
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
    if report.quiz is not None:
        quiz = report.quiz
        tests.append({
            "name": "mastery quiz",
            "number": f"{len(report.exercises) + 1}.1",
            "score": 0.0,
            "max_score": 0.0,
            "status": "passed" if quiz.passed else "failed",
            "output": f"{quiz.score}/{quiz.total} = {quiz.percent:g}% (a pass needs more than {threshold(quiz.pass_above)})",
            "tags": ["quiz"],
            "visibility": "visible",
        })
    return {
        "score": float(report.score),
        "execution_time": round(report.seconds, 3),
        "output": _overview(report),
        "output_format": "text",
        "visibility": "visible",
        "extra_data": {"seed": report.seed, "max_score": float(report.max_score),
                       "score_text": f"{points(report.score)}/{points(report.max_score)}",
                       "confinement": confinement_dict(report.unconfined)},
        "tests": tests,
    }


VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def render_gradescope(report: Report, hidden_visibility: str = HIDDEN_VISIBILITY) -> str:
    return json.dumps(gradescope_dict(report, hidden_visibility), indent=2) + "\n"
