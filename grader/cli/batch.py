"""What ``grade batch`` and ``grade merge`` do between parsing options and exiting: progress, outputs."""
from __future__ import annotations

import dataclasses
import json
import socket
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, TextIO

import click

from grader.batch.runs import BatchOptions, BatchRunner, Graded, discover, select_shard
from grader.core.records import STATUS_ORDER, BatchDocument, ClassSummary
from grader.batch.class_outputs import ClassOutputs, write_class_outputs
from grader.cli.base import require_confinement
from grader.engine.doctor import sandbox_line
from grader.engine.grading import prepare_cases
from grader.core.errors import UsageError
from grader.course.lesson import Lesson
from grader.core.outputs import document_stem, writable_directory, write_atomic, write_atomic_chunks
from grader.core.formatting import counted, number, printable
from grader.render.junit import batch_suites, junit_chunks
from grader.sandbox.runner import Limits
from grader.batch.shards import Placement, Shard
from grader.batch.summary import merge


class Progress:
    """A progress bar on a terminal; one line per finished submission anywhere else (CI logs)."""

    def __init__(self, total: int, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.reused = 0
        self.bar: Any = None
        if self.stream.isatty() and total:
            self.bar = click.progressbar(length=total, label="Grading", file=self.stream, show_pos=True,
                                         item_show_func=lambda name: printable(name) if name else None)
            self.bar.__enter__()

    def __call__(self, graded: Graded) -> None:
        self.done += 1
        self.reused += graded.reused
        if self.bar is not None:
            self.bar.update(1, graded.name)
            return
        document, batch = graded.document, graded.document.batch
        line = (f"[{self.done}/{self.total}] {printable(graded.name)}: {number(document.score)}/"
                f"{number(document.max_score)} {batch.status.value}")
        if graded.reused:
            line += " (unchanged since the last run, not regraded)"
        elif batch.message:
            message = printable(batch.message)
            line += f" - {message[:150]}{'…' if len(message) > 150 else ''}"
        click.echo(line, file=self.stream)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def write_junit(path: Path, documents: Iterable[BatchDocument]) -> None:
    """The class's JUnit file, reading ``documents`` once (each may be read from disk as it comes): the suites
    are spooled to an unnamed file beside it, so the class is never one tree in memory."""
    timestamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        spool = tempfile.TemporaryFile("w+", encoding="utf-8", dir=path.parent)
    except OSError as exc:
        raise UsageError(f"{path}: cannot write it ({exc.strerror or exc})") from None
    with spool:
        write_atomic_chunks(path, junit_chunks(batch_suites(documents), spool, timestamp, socket.gethostname()))


def _counts_line(summary: ClassSummary) -> str:
    counts = summary.counts
    parts = [f"{counts.of(s)} {s.value}" for s in reversed(STATUS_ORDER) if counts.of(s)]
    return f"{counted(counts.submissions, 'submission')} ({', '.join(parts) or 'none'})"


def _wrote(out: Path, outputs: ClassOutputs, documents: Sequence[BatchDocument], junit: Path | None) -> str:
    """Every file written: ``wrote results/ (7 results as <name>.json, gradebook.csv, ...) and junit.xml``."""
    names = [f"{counted(len(documents), 'result')} as <name>.json", *(path.name for path in outputs.files)]
    return f"wrote {out}/ ({', '.join(names)})" + (f" and {junit}" if junit is not None else "")


def run_batch(lesson: Lesson, submissions_dir: Path, out: Path, options: BatchOptions,
              placed: Shard | Placement | None, junit: Path | None, unconfined: bool = False, seed_note: str = "",
              excel_csv: bool = False) -> None:
    """Grade the class, or the slice ``placed`` says (``--shard I/N``, or a Placement read from an array job)."""
    started = time.monotonic()
    shard = placed.shard if isinstance(placed, Placement) else placed
    if out.resolve() == submissions_dir.resolve():
        raise UsageError(f"--out {out}: give a directory other than the submissions themselves")
    found = discover(submissions_dir, exclude=out)
    if not found:  # a shard of it too: every task of an array job seeing none means the class is elsewhere
        raise UsageError(f"{submissions_dir}: no submissions in it (one sub-directory or .py file per student)")
    selected = select_shard(found, shard)
    sandbox = require_confinement("grade batch", Limits(timeout=options.timeout, memory_mb=options.memory_mb),
                                  unconfined)
    prepare_cases(lesson, options.seed)  # a lesson whose check cannot build its cases stops here, one line, exit 2
    writable_directory(out)
    click.echo(sandbox_line(sandbox), file=sys.stderr)
    if seed_note:
        click.echo(seed_note, file=sys.stderr)
    if isinstance(placed, Placement):
        click.echo(f"Grading {placed}.", file=sys.stderr)
    runner = BatchRunner(lesson, out, dataclasses.replace(options, require_private_root=sandbox.complete))
    progress = Progress(len(selected))
    try:
        documents = runner.run(selected, progress)
    finally:
        progress.close()
    outputs = write_class_outputs(out, documents, options.seed, lesson, shard, len(found), excel_csv)
    if junit is not None:
        write_junit(junit, documents)
    where = f"shard {shard} of " if shard else ""
    reused = f", {progress.reused} unchanged and not regraded" if progress.reused else ""
    click.echo(f"Graded {where}{_counts_line(outputs.summary)}{reused} in {time.monotonic() - started:.1f}s; "
               f"{_wrote(out, outputs, documents, junit)}", file=sys.stderr)


def run_merge(lesson: Lesson, directories: Sequence[Path], out: Path, junit: Path | None,
              excel_csv: bool = False) -> None:
    seed, documents = merge(directories)  # each document read from its file when used: never the class at once
    writable_directory(out)

    def copied(each: Iterable[BatchDocument]) -> Iterator[BatchDocument]:
        for document in each:
            write_atomic(out / f"{document_stem(document.name)}.json", json.dumps(document.to_dict(), indent=2) + "\n")
            yield document

    outputs = write_class_outputs(out, copied(documents), seed, lesson, excel_csv=excel_csv)
    if junit is not None:
        write_junit(junit, documents)
    click.echo(f"Merged {counted(len(directories), 'directory', 'directories')}: {_counts_line(outputs.summary)}; "
               f"{_wrote(out, outputs, documents, junit)}", file=sys.stderr)
