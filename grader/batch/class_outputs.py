"""Writing a class's outputs from its documents: one path for ``grade batch`` and ``grade merge``.

The documents are read once, one at a time, in name order: what the outputs need of each is kept small (its
gradebook row, its summary figures) and its row and feedback in report.html are spooled to a temporary file,
so a class's peak memory does not grow with its size.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterable, Iterator

from grader.batch.shards import Shard
from grader.core.errors import UsageError
from grader.core.records import BatchDocument, BatchRecord, BatchStatus, ClassSummary
from grader.course.lesson import Lesson
from grader.core.outputs import json_text, write_atomic, write_atomic_chunks
from grader.render.gradebook_csv import GradebookRow, gradebook_text
from grader.render.html_report import html_report_chunks, not_started, submission_fragments
from grader.render.markdown import class_markdown
from grader.batch.summary import SUMMARY_FILE, SummaryTally, mistake_titles

GRADEBOOK_FILE = "gradebook.csv"
REPORT_FILE = "report.html"
MARKDOWN_FILE = "summary.md"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class ClassOutputs:
    summary: ClassSummary
    files: tuple[Path, ...]


def _spooled(spool: IO[str]) -> Iterator[str]:
    spool.seek(0)
    while chunk := spool.read(_CHUNK):
        yield chunk


def write_class_outputs(out: Path, documents: Iterable[BatchDocument], seed: int, lesson: Lesson,
                        shard: Shard | None = None, discovered: int | None = None, excel_csv: bool = False) -> ClassOutputs:
    """gradebook.csv (for Excel with ``excel_csv``), summary.json, summary.md and report.html in ``out``, from
    ``documents`` in name order, read once; per-submission files are not touched."""
    lesson_titles = mistake_titles(lesson)
    tally = SummaryTally()
    rows: list[GradebookRow] = []
    exercises: dict[str, None] = {}
    problems: list[BatchRecord] = []
    stubs = 0
    # The spools are unnamed files in ``out`` (removed when closed), not in /tmp, which may be memory.
    try:
        table = tempfile.TemporaryFile("w+", encoding="utf-8", dir=out)
        feedback = tempfile.TemporaryFile("w+", encoding="utf-8", dir=out)
    except OSError as exc:
        raise UsageError(f"{out}: cannot write there ({exc.strerror or exc})") from None
    with table, feedback:
        for index, document in enumerate(documents):
            tally.add(document)
            rows.append(GradebookRow.of(document))
            exercises.update(dict.fromkeys(e.name for e in document.exercises))
            if document.status is not BatchStatus.GRADED:
                problems.append(document.batch)
            stubs += not_started(document)
            # The titles the summary gives this document's mistakes: the lesson's, or the mistake's id.
            titles = {(e.name, c.mistake): lesson_titles.get(e.name, {}).get(c.mistake, c.mistake)
                      for e in document.exercises for c in e.checks if c.mistake}
            row, shown = submission_fragments(index, document, titles)
            table.write(row)
            feedback.write(shown)
        summary = tally.summary(seed, lesson_titles, shard, discovered)
        write_atomic(out / GRADEBOOK_FILE, gradebook_text(rows, list(exercises), excel=excel_csv))
        write_atomic(out / SUMMARY_FILE, json_text(summary.to_dict()) + "\n")
        write_atomic(out / MARKDOWN_FILE, class_markdown(summary, problems))
        write_atomic_chunks(out / REPORT_FILE, html_report_chunks(summary, lesson.title, stubs, tally.scores,
                                                                  _spooled(table), _spooled(feedback)))
    return ClassOutputs(summary, tuple(out / name for name in (GRADEBOOK_FILE, SUMMARY_FILE, MARKDOWN_FILE, REPORT_FILE)))
