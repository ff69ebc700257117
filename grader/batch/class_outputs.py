"""Writing a class's outputs from its documents: one path for ``grade batch`` and ``grade merge``."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from grader.batch.shards import Shard
from grader.core.records import BatchDocument, ClassSummary
from grader.course.lesson import Lesson
from grader.core.outputs import write_atomic
from grader.render.gradebook_csv import render_gradebook
from grader.render.html_report import render_html_report
from grader.render.markdown import render_class_markdown
from grader.batch.summary import SUMMARY_FILE, mistake_titles, summarize

GRADEBOOK_FILE = "gradebook.csv"
REPORT_FILE = "report.html"
MARKDOWN_FILE = "summary.md"


@dataclass(frozen=True)
class ClassOutputs:
    summary: ClassSummary
    files: tuple[Path, ...]


def write_class_outputs(out: Path, documents: Sequence[BatchDocument], seed: int, lesson: Lesson,
                        shard: Shard | None = None, discovered: int | None = None, excel_csv: bool = False) -> ClassOutputs:
    """gradebook.csv (for Excel with ``excel_csv``), summary.json, summary.md and report.html in ``out``;
    per-submission files are not touched."""
    summary = summarize(documents, seed, mistake_titles(lesson), shard, discovered)
    outputs = {
        GRADEBOOK_FILE: render_gradebook(documents, excel=excel_csv),
        SUMMARY_FILE: json.dumps(summary.to_dict(), indent=2) + "\n",
        MARKDOWN_FILE: render_class_markdown(summary, documents),
        REPORT_FILE: render_html_report(summary, documents, lesson.title),
    }
    for name, text in outputs.items():
        write_atomic(out / name, text)
    return ClassOutputs(summary, tuple(out / name for name in outputs))
