"""The class summary and the merge of shards, both computed from per-submission documents only.

A document is what ``grade batch`` writes to DIR/<name>.json (see batch.py). Because a batch and a
merge both end in ``summarize(documents)``, merged shards give the same summary as one unsharded run.
"""
from __future__ import annotations

import dataclasses
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from grader.batch.shards import Shard
from grader.core.model import ExerciseResult, ExerciseStatus
from grader.core.records import (BatchDocument, BatchStatus, DocumentsRead, CheckSummary, ClassConfinement, ClassSummary, Counts, ExerciseSummary,
                                  MistakeCount, ScoreStatistics, SummaryShard)
from grader.core.outputs import document_stem
from grader.core.errors import UsageError
from grader.course.lesson import Lesson

SUMMARY_FILE = "summary.json"

Titles = Mapping[str, Mapping[str, str]]  # exercise -> mistake id -> title


def mistake_titles(lesson: Lesson) -> dict[str, dict[str, str]]:
    return {e.name: {m.id: m.title for m in e.mistakes.values()} for e in lesson.exercises}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


class _ExerciseTally:
    """One exercise's figures over the submissions added so far (in name order, as the summary lists them)."""

    def __init__(self, name: str):
        self.name = name
        self.max_score = 0.0
        self.scores: list[float] = []
        self.passed = 0
        self.statuses: Counter[ExerciseStatus] = Counter()
        self.checks: dict[str, CheckSummary] = {}  # as first met; the passes are counted apart
        self.check_passed: Counter[str] = Counter()

    def add(self, exercise: ExerciseResult) -> None:
        for check in exercise.checks:
            if check.name not in self.checks:
                self.checks[check.name] = CheckSummary(check.name, check.hidden, check.max_points, 0, None)
            if check.passed:
                self.check_passed[check.name] += 1
        self.max_score = max(self.max_score, exercise.max_score) if self.scores else exercise.max_score
        self.scores.append(exercise.score)
        self.passed += exercise.status is ExerciseStatus.PASSED
        self.statuses[exercise.status] += 1

    def summary(self) -> ExerciseSummary:
        found, passes = len(self.scores), self.check_passed
        return ExerciseSummary(
            name=self.name,
            max_score=self.max_score,
            mean_score=_mean(self.scores),
            passed=self.passed,
            pass_rate=_rate(self.passed, found),
            statuses=self.statuses,
            checks=tuple(dataclasses.replace(c, passed=passes[c.name], pass_rate=_rate(passes[c.name], found))
                         for c in self.checks.values()),
        )


class SummaryTally:
    """summary.json built one document at a time, so that a class's documents need not all be in memory:
    add them in name order, then ``summary``. Only the small figures are kept (names, scores, counts)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.scores: list[float] = []
        self.statuses: Counter[BatchStatus] = Counter()
        self.full_marks = 0
        self.max_score: float = 0.0  # as max(..., default=0.0): the first document's when there are any
        self.quiz_percents: list[float] = []
        self.quiz_passed = 0
        self.exercises: dict[str, _ExerciseTally] = {}
        self.mistakes: Counter[tuple[str, str]] = Counter()
        self.missing: dict[str, None] = {}
        self.unconfined = 0
        self.unrecorded = 0

    def add(self, document: BatchDocument) -> None:
        self.max_score = max(self.max_score, document.max_score) if self.names else document.max_score
        self.names.append(document.name)
        self.scores.append(document.score)
        self.statuses[document.status] += 1
        self.full_marks += document.score == document.max_score and document.max_score > 0
        quiz = document.quiz
        if quiz is not None:
            self.quiz_percents.append(quiz.percent)
            self.quiz_passed += quiz.passed
        for exercise in document.exercises:
            tally = self.exercises.get(exercise.name)
            if tally is None:
                tally = self.exercises[exercise.name] = _ExerciseTally(exercise.name)
            tally.add(exercise)
        # An exercise that calls another one that failed is not counted: its mistake is likely that one's.
        self.mistakes.update({(e.name, c.mistake) for e in document.exercises if not e.calls_failing
                              for c in e.checks if c.mistake})
        if document.confinement_recorded:
            unconfined = document.report.unconfined
            self.missing.update(dict.fromkeys(unconfined))
            self.unconfined += bool(unconfined)
        else:
            self.unrecorded += 1

    def confinement(self) -> ClassConfinement:
        """Complete only when every submission was graded fully confined (a document that does not say was not)."""
        return ClassConfinement(complete=self.unrecorded == 0 and not self.missing, missing=tuple(self.missing),
                                unconfined_submissions=self.unrecorded + self.unconfined, unrecorded=self.unrecorded)

    def summary(self, seed: int, titles: Titles, shard: Shard | None = None,
                discovered: int | None = None) -> ClassSummary:
        scores, quizzes = self.scores, self.quiz_percents
        ranked = sorted(self.mistakes.items(), key=lambda item: (-item[1], item[0]))
        return ClassSummary(
            seed=seed,
            shard=None if shard is None else SummaryShard(shard.index, shard.count, discovered),
            submissions=tuple(self.names),
            counts=Counts(len(self.names), self.statuses, full_marks=self.full_marks,
                          quiz_taken=len(quizzes), quiz_passed=self.quiz_passed),
            max_score=self.max_score,
            score=ScoreStatistics(mean=_mean(scores), median=round(statistics.median(scores), 4) if scores else None,
                                  min=min(scores, default=None), max=max(scores, default=None)),
            quiz_mean_percent=_mean(quizzes),
            exercises=tuple(tally.summary() for tally in self.exercises.values()),
            mistakes=tuple(MistakeCount(exercise, mistake, titles.get(exercise, {}).get(mistake, mistake), count)
                           for (exercise, mistake), count in ranked),
            confinement=self.confinement(),
        )


def summarize(documents: Iterable[BatchDocument], seed: int, titles: Titles,
              shard: Shard | None = None, discovered: int | None = None) -> ClassSummary:
    """summary.json: counts, score statistics, pass rates per exercise and check, common mistakes."""
    tally = SummaryTally()
    for document in sorted(documents, key=lambda d: d.name):
        tally.add(document)
    return tally.summary(seed, titles, shard, discovered)


def class_confinement(documents: Iterable[BatchDocument]) -> ClassConfinement:
    """Complete only when every submission was graded fully confined (a document that does not say was not)."""
    tally = SummaryTally()
    for document in documents:
        tally.add(document)
    return tally.confinement()


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file ({what})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it ({exc})") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from None


class StoredBatch(DocumentsRead[tuple[str, Path]]):
    """Documents of batch output directories in name order, each read from its file when it is used: a
    merged class is never in memory at once."""

    def __init__(self, entries: Iterable[tuple[str, Path]]) -> None:
        super().__init__(sorted(entries, key=lambda entry: entry[0]))

    def read(self, key: tuple[str, Path]) -> BatchDocument:
        return _listed_document(*key)

    @property
    def entries(self) -> list[tuple[str, Path]]:
        """Each document's name and file, in name order."""
        return list(self.keys)


def _listed_document(name: str, path: Path) -> BatchDocument:
    document = BatchDocument.from_dict(_read_json(path, f"listed in {path.parent / SUMMARY_FILE}"), str(path))
    if document.name != name:
        raise UsageError(f"{path}: holds {document.name!r}, not {name!r} as the summary says")
    return document


def read_batch_dir(directory: Path) -> tuple[dict[str, Any], StoredBatch]:
    """A batch output directory's summary and the documents it lists (stale extra files are ignored). Each is
    read once now, to refuse a missing or foreign one before anything is written, and let go: the documents
    are read again, one at a time, when used."""
    summary = _read_json(directory / SUMMARY_FILE, "is it the --out directory of grade batch?")
    if not isinstance(summary, dict) or not isinstance(summary.get("submissions"), list):
        raise UsageError(f"{directory / SUMMARY_FILE}: not a summary written by grade batch")
    entries = []
    for name in summary["submissions"]:
        if not isinstance(name, str):
            raise UsageError(f"{directory / SUMMARY_FILE}: a submission name is not text")
        path = directory / f"{document_stem(name)}.json"
        _listed_document(name, path)
        entries.append((name, path))
    return summary, StoredBatch(entries)


def _check_shards(summaries: Iterable[tuple[Path, dict[str, Any]]]) -> None:
    """Every shard of a split run must be there exactly once, or the merged gradebook would lose rows."""
    groups: dict[int, dict[int, Path]] = {}
    sizes: dict[int, tuple[Any, Path]] = {}
    for directory, summary in summaries:
        shard = summary.get("shard")
        if not shard:
            continue
        seen = sizes.setdefault(shard["count"], (shard.get("of"), directory))
        if seen[0] != shard.get("of"):
            raise UsageError(f"{seen[1]} and {directory} sliced different sets of submissions ({seen[0]} and "
                             f"{shard.get('of')}): grade every shard from the same submissions")
        group = groups.setdefault(shard["count"], {})
        if shard["index"] in group:
            raise UsageError(f"{group[shard['index']]} and {directory} are both shard {shard['index']}/{shard['count']}")
        group[shard["index"]] = directory
    for count, group in groups.items():
        missing = sorted(set(range(1, count + 1)) - set(group))
        if missing:
            listed = ", ".join(f"{i}/{count}" for i in missing)
            raise UsageError(f"shard {listed} missing: merge every shard's output directory, or the gradebook loses rows")


def merge(directories: Sequence[Path]) -> tuple[int, StoredBatch]:
    """The seed and the documents of several batch output directories, checked to be one class; the documents
    are read from their files as they are used."""
    if not directories:
        raise UsageError("merge needs at least one directory")
    seen: dict[Path, Path] = {}
    for directory in directories:
        same = seen.setdefault(directory.resolve(), directory)
        if same is not directory:
            raise UsageError(f"{directory} is given twice ({same}): merge each directory once")
    read = [(directory, *read_batch_dir(directory)) for directory in directories]
    seeds = {summary["seed"] for _, summary, _ in read}
    if len(seeds) > 1:
        raise UsageError(f"the directories were graded with different seeds ({', '.join(map(str, sorted(seeds)))}); "
                         "regrade them with one --seed")
    _check_shards((directory, summary) for directory, summary, _ in read)
    owners: dict[str, Path] = {}
    entries: list[tuple[str, Path]] = []
    for directory, _, stored in read:
        for name, path in stored.entries:
            if name in owners:
                raise UsageError(f"{name} appears in both {owners[name]} and {directory}")
            owners[name] = directory
            entries.append((name, path))
    return seeds.pop(), StoredBatch(entries)
