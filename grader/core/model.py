"""The one result model every renderer reads: report -> exercises -> checks (+ quiz).

Results are immutable values. They know how to add up their points but never render themselves.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

IMPORT_ERROR_PREFIX = "your file could not be imported: "


class ExerciseStatus(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    NOT_IMPLEMENTED = "not_implemented"
    MISSING = "missing"
    ERROR = "error"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class CheckResult:
    name: str
    max_points: float
    passed: bool
    hidden: bool
    message: str = ""
    mistake: str | None = None  # id of the known mistake the output matched, if any

    @property
    def points(self) -> float:
        return self.max_points if self.passed else 0.0


@dataclass(frozen=True)
class ExerciseResult:
    name: str
    status: ExerciseStatus
    checks: tuple[CheckResult, ...]
    hint: str = ""
    detail: str = ""  # why the exercise as a whole did not run normally (import error, timeout...)
    output: str = ""  # what the student's code printed, capped
    seconds: float = 0.0
    calls_failing: tuple[str, ...] = ()  # the student's failing exercises this one's function used: the cause may be there

    @property
    def score(self) -> float:
        return sum(check.points for check in self.checks)

    @property
    def max_score(self) -> float:
        return sum(check.max_points for check in self.checks)

    @property
    def mistakes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.mistake for c in self.checks if c.mistake))


@dataclass(frozen=True)
class FileChoice:
    """A submission held the exercise file both as .py and as .ipynb: which one was graded, and why."""

    graded: str  # as found in the submission, e.g. exercises/softmax_cross_entropy.ipynb
    left_out: str
    reason: str  # why ``graded`` was chosen, e.g. "exercises/x.py is the untouched stub"

    @property
    def note(self) -> str:
        return f"graded {self.graded}, not {self.left_out}: {self.reason}"

    def to_dict(self) -> dict[str, str]:
        return {"graded": self.graded, "left_out": self.left_out, "reason": self.reason}


@dataclass(frozen=True)
class Report:
    submission: str
    seed: int
    exercises: tuple[ExerciseResult, ...]
    quiz: QuizResult | None = None
    seconds: float = 0.0
    unconfined: tuple[str, ...] = ()  # layers of complete confinement that were missing while grading
    notes: tuple[str, ...] = ()  # what was left out of grading: a notebook's IPython syntax, an answers file not used
    choice: FileChoice | None = None  # the .py and the .ipynb were both there: which one was graded

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    @property
    def import_error(self) -> str | None:
        """Why the file did not import (a syntax error...), when that stopped every exercise; else None."""
        details = {e.detail for e in self.exercises}
        if not self.exercises or len(details) != 1 or any(e.status is not ExerciseStatus.ERROR for e in self.exercises):
            return None
        detail = details.pop()
        return detail[len(IMPORT_ERROR_PREFIX):] if detail.startswith(IMPORT_ERROR_PREFIX) else None

    @property
    def file_problem(self) -> str | None:
        """The one reason no exercise could run when it is not an import error (a refused or unreadable file,
        a malformed notebook, a sandbox that could not start): every exercise stopped on it. Else None."""
        if len(self.exercises) < 2 or self.import_error is not None:
            return None
        if any(e.status not in (ExerciseStatus.ERROR, ExerciseStatus.MISSING) for e in self.exercises):
            return None
        details = {e.detail for e in self.exercises}
        return details.pop() if len(details) == 1 else None

    @property
    def exercises_complete(self) -> bool:
        return all(e.status is ExerciseStatus.PASSED for e in self.exercises)

    @property
    def lesson_complete(self) -> bool:
        """The lesson is complete: every exercise has full marks and the quiz was taken and passed."""
        return self.exercises_complete and self.quiz is not None and self.quiz.passed

    @property
    def all_passed(self) -> bool:
        """Everything asked for passed: every exercise, and the quiz when it was graded."""
        return self.exercises_complete and (self.quiz is None or self.quiz.passed)


QUIZ_SCHEMA_VERSION = 1  # of QuizResult.to_dict()


@dataclass(frozen=True)
class QuestionResult:
    id: str
    answer: str | None  # the choice id given, None when unanswered
    correct: bool


@dataclass(frozen=True)
class QuizResult:
    score: int
    total: int
    percent: float  # 100 * score / total, unrounded: 87.5 for 7 of 8
    passed: bool
    pass_above: float
    questions: tuple[QuestionResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": QUIZ_SCHEMA_VERSION,
            "score": self.score,
            "total": self.total,
            "percent": self.percent,
            "passed": self.passed,
            "pass_above": self.pass_above,
            "questions": [{"id": q.id, "answer": q.answer, "correct": q.correct} for q in self.questions],
        }
