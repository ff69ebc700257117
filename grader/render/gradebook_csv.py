"""DIR/gradebook.csv: one row per submission, for a spreadsheet or an LMS import.

Columns: name, score, max_score, one column per exercise (its score), quiz_percent, quiz_passed
(true/false, both empty without quiz answers), status (graded | missing | timeout | error) and message.
For Excel (``excel=True``): a UTF-8 byte order mark and CRLF line ends, so non-ASCII names open as written.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Mapping, Sequence

from grader.core.records import BatchDocument, BatchStatus
from grader.core.formatting import number, one_line

FIXED_BEFORE = ("name", "score", "max_score")
FIXED_AFTER = ("quiz_percent", "quiz_passed", "status", "message")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading ' is the conventional guard)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def exercise_columns(documents: Sequence[BatchDocument]) -> list[str]:
    return list(dict.fromkeys(e.name for d in documents for e in d.exercises))


@dataclass(frozen=True)
class GradebookRow:
    """One submission's line of the gradebook."""

    name: str
    score: float
    max_score: float
    exercise_scores: Mapping[str, float]
    quiz_percent: float | None
    quiz_passed: bool | None
    status: BatchStatus
    message: str

    @classmethod
    def of(cls, document: BatchDocument) -> GradebookRow:
        quiz = document.quiz
        return cls(document.name, document.score, document.max_score,
                   {e.name: e.score for e in document.exercises},
                   quiz.percent if quiz else None, quiz.passed if quiz else None,
                   document.status, document.batch.message)

    def cells(self, exercises: Sequence[str]) -> list[str]:
        return [
            cell_text(self.name),
            number(self.score),
            number(self.max_score),
            *(number(self.exercise_scores[name]) if name in self.exercise_scores else "" for name in exercises),
            number(self.quiz_percent) if self.quiz_percent is not None else "",
            ("true" if self.quiz_passed else "false") if self.quiz_passed is not None else "",
            self.status.value,
            cell_text(one_line(self.message)),
        ]


def gradebook_row(document: BatchDocument, exercises: Sequence[str]) -> list[str]:
    return GradebookRow.of(document).cells(exercises)


EXCEL_BOM = "\ufeff"


def render_gradebook(documents: Sequence[BatchDocument], excel: bool = False) -> str:
    documents = sorted(documents, key=lambda d: d.name)
    return gradebook_text([GradebookRow.of(d) for d in documents], exercise_columns(documents), excel)


def gradebook_text(rows: Sequence[GradebookRow], exercises: Sequence[str], excel: bool = False) -> str:
    """gradebook.csv from its rows (in name order) and exercise columns: a row is all of a document it needs."""
    buffer = io.StringIO()
    if excel:
        buffer.write(EXCEL_BOM)
    writer = csv.writer(buffer, lineterminator="\r\n" if excel else "\n")
    writer.writerow([*FIXED_BEFORE, *exercises, *FIXED_AFTER])
    for row in rows:
        writer.writerow(row.cells(exercises))
    return buffer.getvalue()
