"""DIR/gradebook.csv: one row per submission, for a spreadsheet or an LMS import.

Columns: name, score, max_score, one column per exercise (its score), quiz_percent, quiz_passed
(true/false, both empty without quiz answers), status (graded | missing | timeout | error) and message.
"""
from __future__ import annotations

import csv
import io
from typing import Any, Sequence

from grader.formatting import number

FIXED_BEFORE = ("name", "score", "max_score")
FIXED_AFTER = ("quiz_percent", "quiz_passed", "status", "message")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(text: str) -> str:
    """Text a spreadsheet will not run as a formula (a leading ' is the conventional guard)."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def exercise_columns(documents: Sequence[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(e["name"] for d in documents for e in d["exercises"]))


def gradebook_row(document: dict[str, Any], exercises: Sequence[str]) -> list[str]:
    scores = {e["name"]: number(e["score"]) for e in document["exercises"]}
    quiz = document.get("quiz")
    batch = document["batch"]
    return [
        cell_text(batch["name"]),
        number(document["score"]),
        number(document["max_score"]),
        *(scores.get(name, "") for name in exercises),
        number(quiz["percent"]) if quiz else "",
        ("true" if quiz["passed"] else "false") if quiz else "",
        batch["status"],
        cell_text(" ".join(batch["message"].split())),
    ]


def render_gradebook(documents: Sequence[dict[str, Any]]) -> str:
    documents = sorted(documents, key=lambda d: d["batch"]["name"])
    exercises = exercise_columns(documents)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*FIXED_BEFORE, *exercises, *FIXED_AFTER])
    for document in documents:
        writer.writerow(gradebook_row(document, exercises))
    return buffer.getvalue()
