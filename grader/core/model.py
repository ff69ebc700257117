"""The one result model every renderer reads: report -> exercises -> checks (+ quiz).

Results are immutable values. They know how to add up their points but never render themselves.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, TypedDict, TypeVar

from grader.core.errors import UsageError

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

    # Sums of immutable values, asked for again and again (the document, the progress line, the summary, the
    # gradebook, the report): computed once. A frozen dataclass keeps them in its __dict__, outside its fields.
    @cached_property
    def score(self) -> float:
        return sum(check.points for check in self.checks)

    @cached_property
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

    @cached_property  # as ExerciseResult.score
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @cached_property
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

    def to_dict(self) -> ReportDict:
        """The versioned JSON document of ``grade check --format json`` (schema in docs/formats.md)."""
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "submission": self.submission,
            "seed": self.seed,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [exercise_dict(e) for e in self.exercises],
            "quiz": self.quiz.to_dict() if self.quiz is not None else None,
            "confinement": confinement_dict(self.unconfined),
            "file_choice": self.choice.to_dict() if self.choice is not None else None,
            "left_out": list(self.notes),
        }

    @classmethod
    def from_dict(cls, raw: Any, where: str = "report") -> Report:
        """The report a ``grade check --format json`` document holds (``report_dict``'s inverse).

        What the document does not hold comes back as its default: an exercise's hint, detail and output,
        and the report's total seconds. A malformed document raises ``UsageError`` naming the field."""
        read = _Reader(where)
        raw = read.mapping(raw, "the document")
        quiz = raw.get("quiz")
        choice = raw.get("file_choice")
        confinement = raw.get("confinement")
        missing = read.mapping(confinement, "confinement").get("missing", []) if confinement is not None else []
        return cls(
            submission=read.of(raw, "submission", str),
            seed=read.of(raw, "seed", int),
            exercises=tuple(_exercise_from_dict(read, e, f"exercises[{i}]")
                            for i, e in enumerate(read.of(raw, "exercises", list))),
            quiz=None if quiz is None else QuizResult.from_dict(quiz, f"{where}: quiz"),
            unconfined=read.texts(missing, "confinement.missing"),
            notes=read.texts(raw.get("left_out", []), "left_out"),
            choice=None if choice is None else FileChoice(
                *(read.of(read.mapping(choice, "file_choice"), key, str, f"file_choice.{key}")
                  for key in ("graded", "left_out", "reason"))),
        )


REPORT_SCHEMA_VERSION = 1  # of Report.to_dict()


# --- the JSON documents, field by field (docs/formats.md) ---------------------------------------

class CheckDict(TypedDict):
    name: str
    points: float
    max_points: float
    passed: bool
    hidden: bool
    message: str
    mistake: str | None


class ExerciseDict(TypedDict):
    name: str
    score: float
    max_score: float
    status: str  # an ExerciseStatus value
    seconds: float
    calls_failing: list[str]
    checks: list[CheckDict]


class ConfinementDict(TypedDict):
    complete: bool
    missing: list[str]


class QuestionDict(TypedDict):
    id: str
    answer: str | None
    correct: bool


class QuizDict(TypedDict):
    schema_version: int
    score: int
    total: int
    percent: float
    passed: bool
    pass_above: float
    questions: list[QuestionDict]


class ReportDict(TypedDict):
    schema_version: int
    submission: str
    seed: int
    score: float
    max_score: float
    exercises: list[ExerciseDict]
    quiz: QuizDict | None
    confinement: ConfinementDict
    file_choice: dict[str, str] | None  # FileChoice.to_dict()
    left_out: list[str]


def exercise_dict(exercise: ExerciseResult) -> ExerciseDict:
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


def confinement_dict(missing: tuple[str, ...] | list[str]) -> ConfinementDict:
    """Whether the sandbox was complete while grading: outputs graded without it say so."""
    return {"complete": not missing, "missing": list(missing)}


_T = TypeVar("_T")


class _Reader:
    """Checks the fields of a JSON document read back, and names the first malformed one."""

    def __init__(self, where: str) -> None:
        self.where = where

    def bad(self, field: str, problem: str) -> UsageError:
        return UsageError(f"{self.where}: not a report written by grade ({field} {problem})")

    def mapping(self, value: Any, field: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.bad(field, "is not an object")
        return value

    def of(self, raw: dict[str, Any], key: str, kind: type[_T], field: str | None = None) -> _T:
        value = raw.get(key)
        kinds = (int, float) if kind is float else kind  # a whole number stays as written: 70 is written back as 70
        if not isinstance(value, kinds) or (kind is not bool and isinstance(value, bool)):
            problem = "is missing" if key not in raw else f"is not {_KIND_NAMES.get(kind, kind.__name__)}"
            raise self.bad(field or key, problem)
        return value

    def optional(self, raw: dict[str, Any], key: str, kind: type[_T], default: _T, field: str) -> _T:
        return default if raw.get(key) is None else self.of(raw, key, kind, field)

    def texts(self, value: Any, field: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.bad(field, "is not a list of text")
        return tuple(value)

    def each(self, value: Any, field: str, read: Callable[[Any, str], _T]) -> tuple[_T, ...]:
        if not isinstance(value, list):
            raise self.bad(field, "is not a list")
        return tuple(read(item, f"{field}[{i}]") for i, item in enumerate(value))


_KIND_NAMES = {str: "text", int: "a whole number", float: "a number", bool: "true or false", list: "a list",
               dict: "an object"}


def _status(read: _Reader, raw: dict[str, Any], field: str) -> ExerciseStatus:
    value = raw.get("status")
    try:
        return ExerciseStatus(value)
    except ValueError:
        raise read.bad(f"{field}.status", f"{value!r} is none of {', '.join(s.value for s in ExerciseStatus)}") from None


def _exercise_from_dict(read: _Reader, raw: Any, field: str) -> ExerciseResult:
    raw = read.mapping(raw, field)

    def check(item: Any, where: str) -> CheckResult:
        item = read.mapping(item, where)
        return CheckResult(name=read.of(item, "name", str, f"{where}.name"),
                           max_points=read.of(item, "max_points", float, f"{where}.max_points"),
                           passed=read.of(item, "passed", bool, f"{where}.passed"),
                           hidden=read.of(item, "hidden", bool, f"{where}.hidden"),
                           message=read.optional(item, "message", str, "", f"{where}.message"),
                           mistake=read.optional(item, "mistake", str, None, f"{where}.mistake"))  # type: ignore[arg-type]

    return ExerciseResult(name=read.of(raw, "name", str, f"{field}.name"),
                          status=_status(read, raw, field),
                          checks=read.each(raw.get("checks"), f"{field}.checks", check),
                          seconds=read.optional(raw, "seconds", float, 0.0, f"{field}.seconds"),
                          calls_failing=read.texts(raw.get("calls_failing", []), f"{field}.calls_failing"))


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

    def to_dict(self) -> QuizDict:
        return {
            "schema_version": QUIZ_SCHEMA_VERSION,
            "score": self.score,
            "total": self.total,
            "percent": self.percent,
            "passed": self.passed,
            "pass_above": self.pass_above,
            "questions": [{"id": q.id, "answer": q.answer, "correct": q.correct} for q in self.questions],
        }

    @classmethod
    def from_dict(cls, raw: Any, where: str = "quiz") -> QuizResult:
        """``to_dict``'s inverse; a malformed quiz raises ``UsageError`` naming the field."""
        read = _Reader(where)
        raw = read.mapping(raw, "quiz")

        def question(item: Any, field: str) -> QuestionResult:
            item = read.mapping(item, field)
            return QuestionResult(id=read.of(item, "id", str, f"{field}.id"),
                                  answer=read.optional(item, "answer", str, None, f"{field}.answer"),  # type: ignore[arg-type]
                                  correct=read.of(item, "correct", bool, f"{field}.correct"))

        return cls(score=read.of(raw, "score", int), total=read.of(raw, "total", int),
                   percent=read.of(raw, "percent", float), passed=read.of(raw, "passed", bool),
                   pass_above=read.of(raw, "pass_above", float),
                   questions=read.each(raw.get("questions"), "questions", question))
