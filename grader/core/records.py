"""The class-level documents, typed at the JSON boundary.

A batch writes one document per submission: the ``grade check --format json`` report plus a
``batch`` object (``BatchRecord``: the submission's name, gradebook status, message, fingerprint
and settings). Inside the grader a document is a ``BatchDocument``; it becomes a dict only when it
is written, and a dict read back (``grade merge``, ``--resume``) is checked here, once.
"""
from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, Generic, Iterator, Mapping, Sequence, TypedDict, TypeVar, overload

from grader.core.errors import UsageError
from grader.core.model import ExerciseResult, ExerciseStatus, QuizResult, Report, ReportDict


class BatchStatus(str, enum.Enum):
    """A submission's gradebook status. GRADED: every exercise ran, whatever the score."""

    ERROR = "error"
    TIMEOUT = "timeout"
    MISSING = "missing"
    GRADED = "graded"


STATUS_ORDER = tuple(BatchStatus)  # worst first


def worst(statuses: list[BatchStatus]) -> BatchStatus:
    return min(statuses, key=STATUS_ORDER.index)


@dataclass(frozen=True)
class BatchRecord:
    """The ``batch`` object of a submission's document."""

    name: str
    status: BatchStatus
    message: str = ""
    fingerprint: str | None = None  # sha256 of the files graded; --resume compares it
    settings: Mapping[str, Any] = field(default_factory=dict)  # seed, limits and checks signature graded with
    grader_error: bool = False  # the grader failed (never reused by --resume)
    seconds: float = 0.0

    def to_dict(self) -> BatchRecordDict:
        return {"name": self.name, "status": self.status.value, "message": self.message,
                "fingerprint": self.fingerprint, "settings": dict(self.settings), "grader_error": self.grader_error,
                "seconds": self.seconds}

    @classmethod
    def from_dict(cls, raw: Any, where: str) -> BatchRecord:
        def bad(problem: str) -> UsageError:
            return UsageError(f"{where}: not a document written by grade batch ({problem})")

        if not isinstance(raw, dict):
            raise bad("no batch object")
        name, status = raw.get("name"), raw.get("status")
        if not isinstance(name, str):
            raise bad("batch.name is not text")
        if status not in {s.value for s in BatchStatus}:
            raise bad(f"batch.status {status!r} is none of {', '.join(s.value for s in BatchStatus)}")
        settings = raw.get("settings")
        seconds = raw.get("seconds", 0.0)
        return cls(name, BatchStatus(status), str(raw.get("message") or ""),
                   raw["fingerprint"] if isinstance(raw.get("fingerprint"), str) else None,
                   settings if isinstance(settings, dict) else {}, raw.get("grader_error") is True,
                   float(seconds) if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) else 0.0)


@dataclass(frozen=True)
class BatchDocument:
    """One submission's result: its report (typed; written as the versioned JSON report) and its batch record."""

    report: Report
    batch: BatchRecord
    confinement_recorded: bool = True  # False for a document written before reports said how they were confined

    @property
    def name(self) -> str:
        return self.batch.name

    @property
    def status(self) -> BatchStatus:
        return self.batch.status

    @property
    def score(self) -> float:
        return self.report.score

    @property
    def max_score(self) -> float:
        return self.report.max_score

    @property
    def quiz(self) -> QuizResult | None:
        return self.report.quiz

    @property
    def exercises(self) -> tuple[ExerciseResult, ...]:
        return self.report.exercises

    def to_dict(self) -> BatchDocumentDict:
        report = self.report.to_dict()
        if not self.confinement_recorded:
            del report["confinement"]
        return {**report, "batch": self.batch.to_dict()}  # type: ignore[typeddict-item]

    @classmethod
    def from_dict(cls, raw: Any, where: str) -> BatchDocument:
        if not isinstance(raw, dict):
            raise UsageError(f"{where}: not a document written by grade batch")
        report = {key: value for key, value in raw.items() if key != "batch"}
        for key, kinds in (("score", (int, float)), ("max_score", (int, float)), ("exercises", list)):
            if not isinstance(report.get(key), kinds):
                raise UsageError(f"{where}: not a document written by grade batch ({key} missing or malformed)")
        batch = BatchRecord.from_dict(raw.get("batch"), where)
        return cls(Report.from_dict(report, where), batch, "confinement" in report)


SUMMARY_VERSION = 1  # of ClassSummary.to_dict(): summary.json


# --- the JSON documents, field by field (docs/formats.md) ---------------------------------------

class BatchRecordDict(TypedDict):
    name: str
    status: str  # a BatchStatus value
    message: str
    fingerprint: str | None
    settings: dict[str, object]  # seed, limits, checks signature
    grader_error: bool
    seconds: float


class BatchDocumentDict(ReportDict, total=False):
    """A submission's document: its report's fields (confinement left out when the document read back had
    none) and the batch record."""

    batch: BatchRecordDict


class CheckSummaryDict(TypedDict):
    name: str
    hidden: bool
    max_points: float
    passed: int
    pass_rate: float | None


class ExerciseSummaryDict(TypedDict):
    name: str
    max_score: float
    mean_score: float | None
    passed: int
    pass_rate: float | None
    statuses: dict[str, int]  # by ExerciseStatus value
    checks: list[CheckSummaryDict]


class MistakeCountDict(TypedDict):
    exercise: str
    mistake: str
    title: str
    count: int


class _ClassConfinementFields(TypedDict):
    complete: bool
    missing: list[str]
    unconfined_submissions: int


class ClassConfinementDict(_ClassConfinementFields, total=False):
    unrecorded: int  # written only when some documents do not say


class ShardDict(TypedDict):
    index: int
    count: int
    of: int | None


class ScoreDict(TypedDict):
    mean: float | None
    median: float | None
    min: float | None
    max: float | None


class ClassSummaryDict(TypedDict):
    """summary.json."""

    schema_version: int
    seed: int
    shard: ShardDict | None
    submissions: list[str]
    counts: dict[str, int]  # Counts.to_dict()
    max_score: float
    score: ScoreDict
    quiz_mean_percent: float | None
    exercises: list[ExerciseSummaryDict]
    mistakes: list[MistakeCountDict]
    confinement: ClassConfinementDict


@dataclass(frozen=True)
class CheckSummary:
    name: str
    hidden: bool
    max_points: float
    passed: int  # submissions that passed it
    pass_rate: float | None  # over the submissions that have the exercise

    def to_dict(self) -> CheckSummaryDict:
        return {"name": self.name, "hidden": self.hidden, "max_points": self.max_points, "passed": self.passed,
                "pass_rate": self.pass_rate}


@dataclass(frozen=True)
class ExerciseSummary:
    name: str
    max_score: float
    mean_score: float | None
    passed: int
    pass_rate: float | None
    statuses: Mapping[ExerciseStatus, int]
    checks: tuple[CheckSummary, ...]

    def count(self, *statuses: ExerciseStatus) -> int:
        return sum(self.statuses.get(status, 0) for status in statuses)

    def to_dict(self) -> ExerciseSummaryDict:
        return {"name": self.name, "max_score": self.max_score, "mean_score": self.mean_score, "passed": self.passed,
                "pass_rate": self.pass_rate,
                "statuses": {s.value: n for s, n in sorted(self.statuses.items(), key=lambda item: item[0].value)},
                "checks": [check.to_dict() for check in self.checks]}


@dataclass(frozen=True)
class MistakeCount:
    exercise: str
    mistake: str
    title: str
    count: int  # submissions whose output matched it

    def to_dict(self) -> MistakeCountDict:
        return {"exercise": self.exercise, "mistake": self.mistake, "title": self.title, "count": self.count}


@dataclass(frozen=True)
class ClassConfinement:
    complete: bool  # every submission was graded fully confined (one that does not say was not)
    missing: tuple[str, ...]
    unconfined_submissions: int
    unrecorded: int = 0  # documents that do not say how they were confined

    def to_dict(self) -> ClassConfinementDict:
        return {"complete": self.complete, "missing": list(self.missing),
                "unconfined_submissions": self.unconfined_submissions,
                **({"unrecorded": self.unrecorded} if self.unrecorded else {})}


@dataclass(frozen=True)
class Counts:
    submissions: int
    statuses: Mapping[BatchStatus, int]
    full_marks: int
    quiz_taken: int
    quiz_passed: int

    def of(self, status: BatchStatus) -> int:
        return self.statuses.get(status, 0)

    def to_dict(self) -> dict[str, int]:
        """submissions, the count of each status (graded, missing, timeout, error), full marks, quiz counts."""
        return {"submissions": self.submissions, **{s.value: self.of(s) for s in reversed(STATUS_ORDER)},
                "full_marks": self.full_marks, "quiz_taken": self.quiz_taken, "quiz_passed": self.quiz_passed}


@dataclass(frozen=True)
class ScoreStatistics:
    mean: float | None
    median: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True)
class SummaryShard:
    index: int
    count: int
    of: int | None  # submissions discovered before slicing


@dataclass(frozen=True)
class ClassSummary:
    """summary.json, typed; ``to_dict`` is the file's content."""

    seed: int
    shard: SummaryShard | None
    submissions: tuple[str, ...]
    counts: Counts
    max_score: float
    score: ScoreStatistics
    quiz_mean_percent: float | None
    exercises: tuple[ExerciseSummary, ...]
    mistakes: tuple[MistakeCount, ...]
    confinement: ClassConfinement

    def to_dict(self) -> ClassSummaryDict:
        return {
            "schema_version": SUMMARY_VERSION,
            "seed": self.seed,
            "shard": None if self.shard is None else dataclasses.asdict(self.shard),  # type: ignore[typeddict-item]
            "submissions": list(self.submissions),
            "counts": self.counts.to_dict(),
            "max_score": self.max_score,
            "score": dataclasses.asdict(self.score),  # type: ignore[typeddict-item]
            "quiz_mean_percent": self.quiz_mean_percent,
            "exercises": [exercise.to_dict() for exercise in self.exercises],
            "mistakes": [mistake.to_dict() for mistake in self.mistakes],
            "confinement": self.confinement.to_dict(),
        }


Key = TypeVar("Key")


class DocumentsRead(Sequence[BatchDocument], Generic[Key]):
    """A class's documents in name order, each read (from its file) when it is used, never all held at once:
    ``grade batch`` reads back what it wrote, ``grade merge`` what the shards wrote. A subclass says how one
    document is read from its key."""

    def __init__(self, keys: list[Key]) -> None:
        self.keys = keys

    def read(self, key: Key) -> BatchDocument:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.keys)

    @overload
    def __getitem__(self, index: int) -> BatchDocument: ...

    @overload
    def __getitem__(self, index: slice) -> list[BatchDocument]: ...

    def __getitem__(self, index: int | slice) -> BatchDocument | list[BatchDocument]:
        if isinstance(index, slice):
            return [self.read(key) for key in self.keys[index]]
        return self.read(self.keys[index])

    def __iter__(self) -> Iterator[BatchDocument]:
        return map(self.read, self.keys)
