"""A student's progress: the hint tiers seen and the last graded result of each exercise.

Kept in ``.grade-progress.json`` at the project's root (the folder holding exercises/), written
atomically. ``grade hint`` records the tiers seen; ``grade list`` and ``grade watch`` record what
they graded; ``grade reset`` deletes the file. Values are immutable: an update returns a new Progress.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, TypedDict

from grader.core.errors import UsageError
from grader.course.lesson import Lesson
from grader.core.model import ExerciseStatus, Report
from grader.core.outputs import write_atomic

PROGRESS_FILE = ".grade-progress.json"  # in a one-lesson course
VERSION = 1


@dataclass(frozen=True)
class ExerciseProgress:
    hints_seen: int = 0
    status: ExerciseStatus | None = None  # the last graded status, None if never graded
    score: float | None = None
    max_score: float | None = None


@dataclass(frozen=True)
class Progress:
    lesson: str
    exercises: Mapping[str, ExerciseProgress] = field(default_factory=dict)
    graded_at: str | None = None  # when the last report was recorded (UTC, ISO 8601)
    notice: str | None = None  # the file was unreadable and set aside: one line for the student (never saved)

    def exercise(self, name: str) -> ExerciseProgress:
        return self.exercises.get(name, ExerciseProgress())

    def with_hints_seen(self, name: str, tiers: int) -> Progress:
        """At least ``tiers`` hint tiers of ``name`` seen (a count never goes down)."""
        current = self.exercise(name)
        updated = replace(current, hints_seen=max(current.hints_seen, tiers))
        return replace(self, exercises={**self.exercises, name: updated})

    def with_report(self, report: Report, when: datetime | None = None) -> Progress:
        exercises = dict(self.exercises)
        for result in report.exercises:
            exercises[result.name] = replace(
                self.exercise(result.name), status=result.status, score=result.score, max_score=result.max_score
            )
        stamp = (when or datetime.now(timezone.utc)).isoformat(timespec="seconds")
        return replace(self, exercises=exercises, graded_at=stamp)

    def to_dict(self) -> ProgressFile:
        return {
            "version": VERSION,
            "lesson": self.lesson,
            "graded_at": self.graded_at,
            "exercises": {
                name: {"hints_seen": e.hints_seen, "status": e.status.value if e.status is not None else None,
                       "score": e.score, "max_score": e.max_score}
                for name, e in sorted(self.exercises.items())
            },
        }


class ExerciseEntry(TypedDict):
    """One exercise in the progress file."""

    hints_seen: int
    status: str | None  # an ExerciseStatus value
    score: float | None
    max_score: float | None


class ProgressFile(TypedDict):
    """The progress file's JSON."""

    version: int
    lesson: str
    graded_at: str | None
    exercises: dict[str, ExerciseEntry]


def progress_path(project_root: Path, lesson: Lesson) -> Path:
    """The lesson's progress file in a student's project (one per lesson: see grader.course.course)."""
    return project_root / lesson.progress_file


class _Unreadable(Exception):
    pass


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _status(value: Any) -> ExerciseStatus | None:
    """An exercise's last status as the file says it; None for one this grader does not know."""
    try:
        return ExerciseStatus(value) if isinstance(value, str) else None
    except ValueError:
        return None


def load_progress(path: Path, lesson: str) -> Progress:
    """The progress in ``path``; an empty record when there is no file yet. The file is a cache: when it
    cannot be read it is set aside (renamed ``*.corrupt``) and an empty record comes back with a notice,
    so it never stops grading."""
    try:
        return _read_progress(path, lesson)
    except _Unreadable as problem:
        aside = path.with_name(path.name + ".corrupt")
        try:
            os.replace(path, aside)
            where = f"set aside as {aside.name}"
        except OSError:
            where = "it will be overwritten"
        return Progress(lesson, notice=f"warning: {path}: {problem}; {where}, and a fresh progress record starts "
                                       "(hint tiers and last results are forgotten)")


def _read_progress(path: Path, lesson: str) -> Progress:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Progress(lesson)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise _Unreadable(f"not a readable progress file ({error.__class__.__name__})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("exercises"), dict):
        raise _Unreadable("not a progress file")
    if raw.get("version") != VERSION:
        raise _Unreadable(f"written by another version of grade (version {raw.get('version')!r}, expected {VERSION})")
    if raw.get("lesson") != lesson:
        return Progress(lesson)  # another lesson's record: start this one afresh
    exercises = {}
    for name, entry in raw["exercises"].items():
        if not isinstance(entry, dict):
            raise _Unreadable(f"exercise {name}: expected a mapping")
        hints = entry.get("hints_seen", 0)
        status = entry.get("status")
        exercises[str(name)] = ExerciseProgress(
            hints_seen=hints if isinstance(hints, int) and not isinstance(hints, bool) and hints >= 0 else 0,
            status=_status(status),
            score=_number(entry.get("score")),
            max_score=_number(entry.get("max_score")),
        )
    graded_at = raw.get("graded_at")
    return Progress(lesson, exercises, graded_at if isinstance(graded_at, str) else None)


def save_progress(path: Path, progress: Progress) -> None:
    write_atomic(path, json.dumps(progress.to_dict(), indent=2) + "\n")


def reset_progress(path: Path) -> bool:
    """Delete the progress file; False when there was none."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        raise UsageError(f"{path}: cannot delete it ({error.strerror})") from None
    return True
