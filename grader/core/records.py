"""The class-level documents, typed at the JSON boundary.

A batch writes one document per submission: the ``grade check --format json`` report plus a
``batch`` object (``BatchRecord``: the submission's name, gradebook status, message, fingerprint
and settings). Inside the grader a document is a ``BatchDocument``; it becomes a dict only when it
is written, and a dict read back (``grade merge``, ``--resume``) is checked here, once.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping

from grader.core.errors import UsageError


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

    def to_dict(self) -> dict[str, Any]:
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
    """One submission's result: its report (the versioned JSON report, as a mapping) and its batch record."""

    report: Mapping[str, Any]
    batch: BatchRecord

    @property
    def name(self) -> str:
        return self.batch.name

    @property
    def status(self) -> BatchStatus:
        return self.batch.status

    @property
    def score(self) -> float:
        return self.report["score"]

    @property
    def max_score(self) -> float:
        return self.report["max_score"]

    @property
    def quiz(self) -> Mapping[str, Any] | None:
        return self.report.get("quiz")

    @property
    def exercises(self) -> list[Mapping[str, Any]]:
        return self.report["exercises"]

    def to_dict(self) -> dict[str, Any]:
        return {**self.report, "batch": self.batch.to_dict()}

    @classmethod
    def from_dict(cls, raw: Any, where: str) -> BatchDocument:
        if not isinstance(raw, dict):
            raise UsageError(f"{where}: not a document written by grade batch")
        report = {key: value for key, value in raw.items() if key != "batch"}
        for key, kinds in (("score", (int, float)), ("max_score", (int, float)), ("exercises", list)):
            if not isinstance(report.get(key), kinds):
                raise UsageError(f"{where}: not a document written by grade batch ({key} missing or malformed)")
        return cls(report, BatchRecord.from_dict(raw.get("batch"), where))
