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
from grader.core.model import ExerciseStatus
from grader.core.records import (BatchDocument, CheckSummary, ClassConfinement, ClassSummary, Counts, ExerciseSummary,
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


def _exercise_order(documents: Sequence[BatchDocument]) -> list[str]:
    return list(dict.fromkeys(e.name for d in documents for e in d.exercises))


def _exercise_summary(name: str, documents: Sequence[BatchDocument]) -> ExerciseSummary:
    found = [e for d in documents for e in d.exercises if e.name == name]
    checks: dict[str, CheckSummary] = {}
    for exercise in found:
        for check in exercise.checks:
            entry = checks.setdefault(check.name, CheckSummary(check.name, check.hidden, check.max_points, 0, None))
            checks[check.name] = dataclasses.replace(entry, passed=entry.passed + check.passed)
    passed = sum(e.status is ExerciseStatus.PASSED for e in found)
    return ExerciseSummary(
        name=name,
        max_score=max((e.max_score for e in found), default=0.0),
        mean_score=_mean([e.score for e in found]),
        passed=passed,
        pass_rate=_rate(passed, len(found)),
        statuses=Counter(e.status for e in found),
        checks=tuple(dataclasses.replace(c, pass_rate=_rate(c.passed, len(found))) for c in checks.values()),
    )


def _mistakes(documents: Sequence[BatchDocument], titles: Titles) -> tuple[MistakeCount, ...]:
    """Each known mistake with the number of submissions whose output matched it, most common first."""
    counts: Counter[tuple[str, str]] = Counter()
    for document in documents:
        # An exercise that calls another one that failed is not counted: its mistake is likely that one's.
        seen = {(e.name, c.mistake) for e in document.exercises if not e.calls_failing
                for c in e.checks if c.mistake}
        counts.update(seen)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(MistakeCount(exercise, mistake, titles.get(exercise, {}).get(mistake, mistake), count)
                 for (exercise, mistake), count in ranked)


def summarize(documents: Sequence[BatchDocument], seed: int, titles: Titles,
              shard: Shard | None = None, discovered: int | None = None) -> ClassSummary:
    """summary.json: counts, score statistics, pass rates per exercise and check, common mistakes."""
    documents = sorted(documents, key=lambda d: d.name)
    scores = [d.score for d in documents]
    quizzes = [d.quiz for d in documents if d.quiz is not None]
    return ClassSummary(
        seed=seed,
        shard=None if shard is None else SummaryShard(shard.index, shard.count, discovered),
        submissions=tuple(d.name for d in documents),
        counts=Counts(len(documents), Counter(d.status for d in documents),
                      full_marks=sum(d.score == d.max_score and d.max_score > 0 for d in documents),
                      quiz_taken=len(quizzes), quiz_passed=sum(q.passed for q in quizzes)),
        max_score=max((d.max_score for d in documents), default=0.0),
        score=ScoreStatistics(mean=_mean(scores), median=round(statistics.median(scores), 4) if scores else None,
                              min=min(scores, default=None), max=max(scores, default=None)),
        quiz_mean_percent=_mean([q.percent for q in quizzes]),
        exercises=tuple(_exercise_summary(name, documents) for name in _exercise_order(documents)),
        mistakes=_mistakes(documents, titles),
        confinement=class_confinement(documents),
    )


def class_confinement(documents: Sequence[BatchDocument]) -> ClassConfinement:
    """Complete only when every submission was graded fully confined (a document that does not say was not)."""
    recorded = [d.report.unconfined for d in documents if d.confinement_recorded]
    missing = dict.fromkeys(m for unconfined in recorded for m in unconfined)
    unknown = len(documents) - len(recorded)
    return ClassConfinement(complete=unknown == 0 and not missing, missing=tuple(missing),
                            unconfined_submissions=unknown + sum(bool(unconfined) for unconfined in recorded),
                            unrecorded=unknown)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file ({what})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it ({exc})") from None
    except ValueError as exc:
        raise UsageError(f"{path}: not valid JSON ({exc})") from None


def read_batch_dir(directory: Path) -> tuple[dict[str, Any], list[BatchDocument]]:
    """A batch output directory's summary and the documents it lists (stale extra files are ignored)."""
    summary = _read_json(directory / SUMMARY_FILE, "is it the --out directory of grade batch?")
    if not isinstance(summary, dict) or not isinstance(summary.get("submissions"), list):
        raise UsageError(f"{directory / SUMMARY_FILE}: not a summary written by grade batch")
    documents = []
    for name in summary["submissions"]:
        if not isinstance(name, str):
            raise UsageError(f"{directory / SUMMARY_FILE}: a submission name is not text")
        path = directory / f"{document_stem(name)}.json"
        document = BatchDocument.from_dict(_read_json(path, f"listed in {directory / SUMMARY_FILE}"), str(path))
        if document.name != name:
            raise UsageError(f"{path}: holds {document.name!r}, not {name!r} as the summary says")
        documents.append(document)
    return summary, documents


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


def merge(directories: Sequence[Path]) -> tuple[int, list[BatchDocument]]:
    """The seed and the documents of several batch output directories, checked to be one class."""
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
    documents = []
    for directory, _, found in read:
        for document in found:
            name = document.name
            if name in owners:
                raise UsageError(f"{name} appears in both {owners[name]} and {directory}")
            owners[name] = directory
            documents.append(document)
    return seeds.pop(), sorted(documents, key=lambda d: d.name)
