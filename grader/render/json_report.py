"""The versioned JSON document of ``grade check --format json`` (schema in docs/formats.md)."""
from __future__ import annotations

import json
from typing import Any

from grader.core.model import ExerciseResult, Report

SCHEMA_VERSION = 1


def exercise_dict(exercise: ExerciseResult) -> dict[str, Any]:
    return {
        "name": exercise.name,
        "score": exercise.score,
        "max_score": exercise.max_score,
        "status": exercise.status.value,
        "seconds": round(exercise.seconds, 3),
        "calls_failing": list(exercise.calls_failing),
        "checks": [
            {
                "name": check.name,
                "points": check.points,
                "max_points": check.max_points,
                "passed": check.passed,
                "hidden": check.hidden,
                "message": check.message,
                "mistake": check.mistake,
            }
            for check in exercise.checks
        ],
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "submission": report.submission,
        "seed": report.seed,
        "score": report.score,
        "max_score": report.max_score,
        "exercises": [exercise_dict(e) for e in report.exercises],
        "quiz": report.quiz.to_dict() if report.quiz is not None else None,
        "confinement": confinement_dict(report.unconfined),
        "file_choice": report.choice.to_dict() if report.choice is not None else None,
        "left_out": list(report.notes),
    }


def confinement_dict(missing: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """Whether the sandbox was complete while grading: outputs graded without it say so."""
    return {"complete": not missing, "missing": list(missing)}


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2) + "\n"
