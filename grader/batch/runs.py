"""Grading a class: find the submissions, slice them into shards, grade each once, lose none.

Every submission ends as one *document*: the JSON of ``grade check --format json`` plus a ``batch``
object (its name, gradebook status, message, fingerprint and the settings it was graded with).
The gradebook, summary and reports are all computed from these documents (see summary.py), so a
batch and a merge of shards share one code path. The core prints nothing; progress goes to a callback.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypedDict

from grader.core.errors import UsageError
from grader.engine.assess import assess
from grader.core.records import BatchDocument, BatchRecord, BatchStatus, DocumentsRead, worst
from grader.engine.grading import GradeOptions, unrun_report
from grader.course.course import SOLE_ANSWERS_FILE, answers_in
from grader.course.lesson import Lesson
from grader.core.model import ExerciseStatus, Report
from grader.core.outputs import document_stem, json_text, write_atomic
from grader.sandbox.protocol import clean_text
from grader.batch.shards import Shard
from grader.sandbox.runner import Limits, deferred_teardowns
from grader.core.notebook_program import MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES, is_notebook
from grader.core.submission import EXERCISES_DIR, EntryKind, Prefer, Refused, SubmissionFile, entry_kind, notebook_name, submission_file_in

_EXERCISE_TO_STATUS = {
    ExerciseStatus.ERROR: BatchStatus.ERROR,
    ExerciseStatus.TIMEOUT: BatchStatus.TIMEOUT,
    ExerciseStatus.MISSING: BatchStatus.MISSING,
}

SUBMISSION_SUFFIXES = (".py", ".ipynb")  # a single-file submission: the exercise file or its notebook


class BatchSettings(TypedDict):
    """What a submission was graded with (its document's ``batch.settings``): --resume reuses a document
    only when they are the same."""

    seed: int
    timeout: float
    memory_mb: int
    checks: str  # checks_signature(lesson)


@dataclass(frozen=True)
class Submission:
    name: str
    path: Path  # the entry: a directory or a single file


def default_jobs() -> int:
    """Submissions graded at a time when --jobs is not given: the cores this process may run on, plus two. A job
    waits part of its time on the kernel (joining its cgroups, its namespaces' end) and on the grader's round
    trips, and two more jobs fill those gaps: a class of 600 on 2 cores, 2 -> 4 at a time, 27.4 -> 25.2 s of
    wall time (median of three alternating runs, 2026-12-02). The cores are those of the CPU affinity (taskset,
    a Slurm allocation), not the whole machine's."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores + 2


@dataclass(frozen=True)
class BatchOptions:
    seed: int
    timeout: float
    jobs: int = 1
    resume: bool = False
    memory_mb: int = Limits.memory_mb
    prefer: Prefer = Prefer.STARTED  # where a submission holds both the .py file and the notebook
    require_private_root: bool = False  # full confinement was found: a job without its private root runs nothing


@dataclass(frozen=True)
class Graded:
    """One finished submission, as the progress callback sees it."""

    name: str
    document: BatchDocument
    reused: bool  # --resume found an up-to-date result and did not grade it again
    saved: bool = True  # its document is in its file (not: kept in memory, with "result not saved" as its message)


def submission_name(entry: Path) -> str:
    """The row's name: the entry's name (a .py or .ipynb file's without the suffix), made valid text.
    Bytes that are not UTF-8 become U+FFFD, and a short hash of the real name keeps such names apart. A
    name that holds U+FFFD itself gets its hash too: kept as it is, it could be exactly a classmate's
    rewritten name, and two entries of one name stop the whole batch."""
    raw = entry.stem if entry.suffix in SUBMISSION_SUFFIXES and not entry.is_dir() else entry.name
    text = clean_text(raw)
    if text == raw and "\ufffd" not in raw:
        return raw
    return f"{text}~{hashlib.sha256(os.fsencode(raw)).hexdigest()[:8]}"


def discover(root: Path, exclude: Path | None = None) -> list[Submission]:
    """Every visible entry of ``root`` is a submission (a stray file becomes an error row, not a gap)."""
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory of submissions (one sub-directory, .py or .ipynb file per student)")
    excluded = exclude.resolve() if exclude is not None else None
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        raise UsageError(f"{root}: cannot list it ({exc.strerror})") from None
    submissions: dict[str, Submission] = {}
    for entry in entries:
        if entry.name.startswith(".") or (excluded is not None and entry.resolve() == excluded):
            continue
        name = submission_name(entry)
        if name in submissions:
            raise UsageError(
                f"{submissions[name].path.name} and {entry.name} in {root} would both be named {name!r}; rename one"
            )
        submissions[name] = Submission(name, entry)
    return sorted(submissions.values(), key=lambda s: s.name)


def select_shard(submissions: list[Submission], shard: Shard | None) -> list[Submission]:
    """The I-th of N round-robin slices of the submissions sorted by name: deterministic, balanced."""
    ordered = sorted(submissions, key=lambda s: s.name)
    return ordered if shard is None else ordered[shard.index - 1 :: shard.count]


def _graded_files(submission: Submission, lesson: Lesson) -> list[SubmissionFile]:
    """Every file grading reads, inside the class's folder (which is trusted; the entries are not)."""
    root, entry = submission.path.parent, submission.path.name
    if entry_kind(root, entry) is EntryKind.DIR:
        notebook = notebook_name(lesson.student_file)
        return [SubmissionFile(root, f"{entry}/{relative}")
                for relative in (lesson.student_file, f"{EXERCISES_DIR}/{lesson.student_file}", notebook,
                                 f"{EXERCISES_DIR}/{notebook}", lesson.answers_file, SOLE_ANSWERS_FILE)]
    return [SubmissionFile(root, entry)]


def student_file_of(submission: Submission, student_file: str, prefer: Prefer = Prefer.STARTED) -> SubmissionFile:
    """The student's exercise file, never following a link (reading a link says why it is refused). Where
    both the .py file and the notebook are there, ``prefer`` chooses and the result's ``choice`` says why
    (naming the files inside the student's folder)."""
    root, entry = submission.path.parent, submission.path.name
    kind = entry_kind(root, entry)
    if kind is EntryKind.DIR:
        found = submission_file_in(submission.path, student_file, prefer)
        if found is None:
            raise UsageError(f"{entry}: no {student_file} at its root or under exercises/")
        return dataclasses.replace(found, base=root, relative=f"{entry}/{found.relative}")
    if kind is EntryKind.FILE and submission.path.suffix not in SUBMISSION_SUFFIXES:
        raise Refused(f"{entry}: not a Python file or notebook; submit {student_file}, "
                      f"{notebook_name(student_file)} or a folder holding one")
    return SubmissionFile(root, entry)  # a .py file or notebook, or a link or other entry that reading refuses


def fingerprint(submission: Submission, lesson: Lesson, prefer: Prefer = Prefer.STARTED) -> str | None:
    """sha256 of which file is graded and of every file grading reads (absent and refused ones count too,
    by what happened): a notebook saved after the .py is graded instead of it, though no content changed."""
    root = submission.path.parent
    kind = entry_kind(root, submission.path.name)
    digest = hashlib.sha256((kind.value if kind is not None else "absent").encode())
    try:  # which file is graded: with a .py and a notebook both there, the one --prefer chooses
        chosen = "graded:" + student_file_of(submission, lesson.student_file, prefer).relative
    except (UsageError, Refused) as exc:
        chosen = "graded: none: " + exc.message
    digest.update(b"\0" + chosen.encode("utf-8", "surrogateescape"))
    for file in _graded_files(submission, lesson):
        digest.update(b"\0" + file.relative.encode("utf-8", "surrogateescape") + b"\0")
        if entry_kind(file.base, file.relative) is None:
            digest.update(b"<absent>")
            continue
        try:
            digest.update(file.read(MAX_NOTEBOOK_BYTES if is_notebook(file.relative) else MAX_SOURCE_BYTES))
        except Refused as refusal:
            digest.update(b"<refused>" + refusal.message.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def checks_signature(lesson: Lesson) -> str:
    """A short hash of the lesson's exercises and checks: a result graded against other checks is stale."""
    layout = [[e.name, [[c.name, c.points, c.hidden] for c in e.checks]] for e in lesson.exercises]
    return hashlib.sha256(json.dumps(layout).encode()).hexdigest()[:16]


def submission_status(report: Report) -> tuple[BatchStatus, str]:
    """The gradebook status and a one-line reason naming the exercises that did not run normally."""
    abnormal = [e for e in report.exercises if e.status in _EXERCISE_TO_STATUS]
    if not abnormal:
        return BatchStatus.GRADED, ""
    status = worst([_EXERCISE_TO_STATUS[e.status] for e in abnormal])
    names = ", ".join(e.name for e in abnormal) if len(abnormal) < len(report.exercises) else "every exercise"
    first = abnormal[0]
    reason = first.detail or next((c.message for c in first.checks if not c.passed), "")
    reason = " ".join(reason.split())
    reason = reason if len(reason) <= 200 else reason[:199] + "…"
    return status, f"{first.status.value} in {names}" + (f": {reason}" if reason else "")


class BatchRunner:
    """Grades submissions into ``out``: one document per submission, written as soon as it is done."""

    def __init__(self, lesson: Lesson, out: Path, options: BatchOptions):
        self.lesson = lesson
        self.out = out
        self.options = options
        self.grading = GradeOptions(seed=options.seed, limits=Limits(timeout=options.timeout, memory_mb=options.memory_mb,
                                                                     require_private_root=options.require_private_root),
                                    hide=(out,))
        self._checks = checks_signature(lesson)  # the same for every submission: hashed once

    def document_path(self, name: str) -> Path:
        return self.out / f"{document_stem(name)}.json"

    def _settings(self) -> BatchSettings:
        return {"seed": self.options.seed, "timeout": self.options.timeout, "memory_mb": self.options.memory_mb,
                "checks": self._checks}

    def _reusable(self, name: str, print_: str | None) -> BatchDocument | None:
        if print_ is None:
            return None
        path = self.document_path(name)
        try:
            document = BatchDocument.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))
        except (OSError, ValueError, UsageError):
            return None
        batch = document.batch
        same = batch.fingerprint == print_ and batch.settings == self._settings() and not batch.grader_error
        return document if same else None

    def grade(self, submission: Submission, print_: str | None) -> BatchDocument:
        """Grade one submission; never raises for anything the submission or the grader does."""
        return self._grade(submission, print_)[0]

    def _grade(self, submission: Submission, print_: str | None) -> tuple[BatchDocument, bool]:
        """The submission's document, and whether it was written to its file."""
        started = time.monotonic()
        grader_error = False
        try:
            student_file = student_file_of(submission, self.lesson.student_file, self.options.prefer)
        except (UsageError, Refused) as exc:
            status = ExerciseStatus.ERROR if isinstance(exc, Refused) else ExerciseStatus.MISSING
            report = unrun_report(str(submission.path), self.lesson, self.grading, status, exc.message)
            batch_status, message = BatchStatus(status.value), exc.message
        else:
            root, entry = submission.path.parent, submission.path.name
            # The lesson is the course's only one or chosen with --lesson: a plain quiz_answers.yaml is its.
            answers = answers_in(root, self.lesson, entry) if entry_kind(root, entry) is EntryKind.DIR else None
            unused = answers.unused if answers is not None else None
            quiz_problem = ""
            try:
                assessment = assess(self.lesson, student_file, self.grading,
                                    answers=answers.file if answers is not None else None,
                                    left_out=(unused,) if unused else ())
                report = assessment.report
                batch_status, message = submission_status(report)
                if assessment.quiz_problem is not None and answers is not None:  # named inside the class's folder
                    problem = assessment.quiz_problem.message.replace(str(answers.file.path), answers.file.relative, 1)
                    quiz_problem = f"quiz not graded: {problem}"
            except Exception as exc:  # a grader bug costs this submission a row, not the batch
                text = f"the grader failed on this submission: {type(exc).__name__}: {exc}"
                report = unrun_report(str(student_file.path), self.lesson, self.grading, ExerciseStatus.ERROR, text)
                batch_status, message, grader_error = BatchStatus.ERROR, text, True
            choice = student_file.choice.note if student_file.choice is not None else ""
            message = "; ".join(filter(None, [message, choice, quiz_problem, unused]))
        record = BatchRecord(submission.name, batch_status, message, print_, self._settings(), grader_error,
                             round(time.monotonic() - started, 3))
        document = BatchDocument(report, record)
        try:
            write_atomic(self.document_path(submission.name), json_text(document.to_dict()) + "\n")
        except UsageError as exc:  # one document that cannot be written costs its row, not the batch
            unsaved = dataclasses.replace(record, status=BatchStatus.ERROR, message=f"result not saved: {exc.message}",
                                          grader_error=True)
            return dataclasses.replace(document, batch=unsaved), False
        return document, True

    def _one(self, submission: Submission) -> Graded:
        print_ = fingerprint(submission, self.lesson, self.options.prefer)
        if self.options.resume:
            reused = self._reusable(submission.name, print_)
            if reused is not None:
                return Graded(submission.name, reused, True)
        document, saved = self._grade(submission, print_)
        return Graded(submission.name, document, False, saved)

    def run(self, submissions: list[Submission], on_done: Callable[[Graded], None] | None = None) -> StoredDocuments:
        """Grade ``jobs`` submissions at a time; return their documents sorted by name, read back from their
        files when used (a class's documents are never all in memory)."""
        self.out.mkdir(parents=True, exist_ok=True)
        self.lesson.reference  # import it once, before the threads need it  # noqa: B018
        names: set[str] = set()
        unsaved: dict[str, BatchDocument] = {}  # a document that could not be written is kept as it is
        with deferred_teardowns():  # a worker's processes end while the next submission runs
            pool = ThreadPoolExecutor(max_workers=max(1, self.options.jobs))
            try:
                # No list of the futures is kept: as_completed lets go of each one it yields, and with it its document.
                for future in as_completed([pool.submit(self._one, s) for s in submissions]):
                    graded = future.result()
                    names.add(graded.name)
                    if not graded.saved:
                        unsaved[graded.name] = graded.document
                    if on_done is not None:
                        on_done(graded)
                    del graded, future
            except BaseException as stop:  # Ctrl-C or an unwritable --out: stop now, keep what is written
                # After Ctrl-C, do not wait for the submissions running (up to their time limits): the fork
                # server kills its workers when the grader's channel closes.
                pool.shutdown(wait=not isinstance(stop, KeyboardInterrupt), cancel_futures=True)
                raise
            pool.shutdown()
        return StoredDocuments(self, sorted(names), unsaved)


class StoredDocuments(DocumentsRead[str]):
    """A batch's documents in name order, each read back from the file it was written to when it is used."""

    def __init__(self, runner: BatchRunner, names: list[str], unsaved: dict[str, BatchDocument]):
        super().__init__(names)
        self.runner = runner
        self.unsaved = unsaved

    @property
    def names(self) -> list[str]:
        return self.keys

    def read(self, name: str) -> BatchDocument:
        if name in self.unsaved:
            return self.unsaved[name]
        path = self.runner.document_path(name)
        try:
            return BatchDocument.from_dict(json.loads(path.read_text(encoding="utf-8")), str(path))
        except (OSError, ValueError) as exc:
            raise UsageError(f"{path}: cannot read back the result just written ({exc})") from None
