"""Class results read back as typed values: Report.from_dict is report_dict's inverse on real documents."""
from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from classroom import build_class, sample_report
from grader.cli.app import main
from grader.core.errors import UsageError
from grader.core.model import FileChoice, QuestionResult, QuizResult, Report
from grader.render.json_report import report_dict


@pytest.fixture(scope="module")
def batch_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("typed")
    submissions = build_class(root / "submissions")
    out = root / "out"
    result = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--timeout", "1",
                                       "--jobs", "2", "--seed", "7"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def _documents(out: Path) -> list[dict]:
    summary = json.loads((out / "summary.json").read_text())
    return [json.loads((out / f"{name}.json").read_text()) for name in summary["submissions"]]


def test_every_document_of_a_real_batch_reads_back_and_writes_the_same_json(batch_out):
    documents = _documents(batch_out)
    assert len(documents) >= 6
    kinds = set()
    for document in documents:
        written = {key: value for key, value in document.items() if key != "batch"}
        report = Report.from_dict(written, document["batch"]["name"])
        assert report_dict(report) == written
        assert json.dumps(report_dict(report), indent=2) == json.dumps(written, indent=2)
        assert Report.from_dict(report_dict(report)) == report
        kinds |= {e.status for e in report.exercises}
        kinds |= {"quiz"} if report.quiz is not None else set()
        kinds |= {"calls_failing"} if any(e.calls_failing for e in report.exercises) else set()
        kinds |= {"mistake"} if any(c.mistake for e in report.exercises for c in e.checks) else set()
    # The class holds what the round trip must carry: a quiz, statuses of every kind, known mistakes.
    assert {"quiz", "mistake", "passed", "failed", "not_implemented", "error", "timeout"} <= {str(getattr(k, "value", k)) for k in kinds}


def test_every_field_the_document_holds_survives_the_round_trip():
    report = sample_report("sam", "failed")
    first, second = report.exercises
    report = dataclasses.replace(
        report,
        seconds=0.0,  # the document does not hold the total seconds, nor an exercise's hint, detail or output
        exercises=(dataclasses.replace(first, seconds=0.125), dataclasses.replace(second, calls_failing=("stable_softmax",))),
        quiz=QuizResult(7, 8, 87.5, True, 70, (QuestionResult("q1", "a", True), QuestionResult("q2", None, False))),
        unconfined=("seccomp",),
        notes=("exercises/softmax_cross_entropy.py: left out",),
        choice=FileChoice("exercises/x.ipynb", "exercises/x.py", "exercises/x.py is the untouched stub"),
    )
    assert Report.from_dict(report_dict(report)) == report
    assert Report.from_dict(json.loads(json.dumps(report_dict(report)))) == report
    assert report_dict(Report.from_dict(report_dict(report))) == report_dict(report)


def _broken(change) -> dict:
    document = report_dict(dataclasses.replace(
        sample_report(), quiz=QuizResult(1, 2, 50.0, False, 70.0, (QuestionResult("q1", "a", True),))))
    document = copy.deepcopy(document)
    change(document)
    return document


@pytest.mark.parametrize("change, expected", [
    (lambda d: d.pop("exercises"), "exercises is missing"),
    (lambda d: d.update(seed="7"), "seed is not a whole number"),
    (lambda d: d["exercises"][1].update(status="done"), "exercises[1].status 'done' is none of"),
    (lambda d: d["exercises"][0]["checks"][0].pop("passed"), "exercises[0].checks[0].passed is missing"),
    (lambda d: d["exercises"][0].update(checks={}), "exercises[0].checks is not a list"),
    (lambda d: d["exercises"][0].update(calls_failing=[1]), "exercises[0].calls_failing is not a list of text"),
    (lambda d: d.update(quiz={"score": 1}), "total is missing"),
    (lambda d: d["quiz"]["questions"][0].update(correct="yes"), "questions[0].correct is not true or false"),
    (lambda d: d.update(file_choice={"graded": "a.py"}), "file_choice.left_out is missing"),
    (lambda d: d.update(confinement=[]), "confinement is not an object"),
    (lambda d: d.update(left_out="x"), "left_out is not a list of text"),
])
def test_a_malformed_document_is_one_clear_error(change, expected):
    with pytest.raises(UsageError) as raised:
        Report.from_dict(_broken(change), "out/sam.json")
    assert expected in str(raised.value)
    assert str(raised.value).startswith("out/sam.json")
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("raw", [None, [], "report", 3])
def test_a_document_that_is_not_an_object_is_one_clear_error(raw):
    with pytest.raises(UsageError, match="not a report written by grade"):
        Report.from_dict(raw, "x.json")


# summary.json as it was computed from the documents' dicts before the summary was typed: the oracle that
# ClassSummary.to_dict() must match byte for byte.
def _oracle_summary(documents: list[dict], seed: int, titles: dict, shard: tuple[int, int, int] | None = None) -> dict:
    from collections import Counter
    import statistics

    def rate(part, whole):
        return round(part / whole, 4) if whole else None

    def mean(values):
        return round(statistics.fmean(values), 4) if values else None

    documents = sorted(documents, key=lambda d: d["batch"]["name"])
    scores = [d["score"] for d in documents]
    statuses = Counter(d["batch"]["status"] for d in documents)
    quizzes = [d["quiz"] for d in documents if d.get("quiz")]
    exercises = []
    for name in dict.fromkeys(e["name"] for d in documents for e in d["exercises"]):
        found = [e for d in documents for e in d["exercises"] if e["name"] == name]
        checks: dict = {}
        for exercise in found:
            for check in exercise["checks"]:
                entry = checks.setdefault(check["name"], {"name": check["name"], "hidden": check["hidden"],
                                                          "max_points": check["max_points"], "passed": 0})
                entry["passed"] += bool(check["passed"])
        for entry in checks.values():
            entry["pass_rate"] = rate(entry["passed"], len(found))
        passed = sum(e["status"] == "passed" for e in found)
        exercises.append({"name": name, "max_score": max((e["max_score"] for e in found), default=0.0),
                          "mean_score": mean([e["score"] for e in found]), "passed": passed,
                          "pass_rate": rate(passed, len(found)),
                          "statuses": dict(sorted(Counter(e["status"] for e in found).items())),
                          "checks": list(checks.values())})
    counts: Counter = Counter()
    for document in documents:
        counts.update({(e["name"], c["mistake"]) for e in document["exercises"] if not e.get("calls_failing")
                       for c in e["checks"] if c.get("mistake")})
    mistakes = [{"exercise": ex, "mistake": m, "title": titles.get(ex, {}).get(m, m), "count": n}
                for (ex, m), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    records = [d.get("confinement") if isinstance(d.get("confinement"), dict) else {} for d in documents]
    missing = dict.fromkeys(str(m) for r in records for m in (r.get("missing") or []))
    unknown = sum(r.get("complete") is not True and not r.get("missing") for r in records)
    return {
        "schema_version": 1, "seed": seed,
        "shard": None if shard is None else dict(zip(("index", "count", "of"), shard)),
        "submissions": [d["batch"]["name"] for d in documents],
        "counts": {"submissions": len(documents),
                   **{s: statuses.get(s, 0) for s in ("graded", "missing", "timeout", "error")},
                   "full_marks": sum(d["score"] == d["max_score"] and d["max_score"] > 0 for d in documents),
                   "quiz_taken": len(quizzes), "quiz_passed": sum(bool(q["passed"]) for q in quizzes)},
        "max_score": max((d["max_score"] for d in documents), default=0.0),
        "score": {"mean": mean(scores), "median": round(statistics.median(scores), 4) if scores else None,
                  "min": min(scores, default=None), "max": max(scores, default=None)},
        "quiz_mean_percent": mean([q["percent"] for q in quizzes]),
        "exercises": exercises,
        "mistakes": mistakes,
        "confinement": {"complete": all(r.get("complete") is True for r in records), "missing": list(missing),
                        "unconfined_submissions": sum(r.get("complete") is not True for r in records),
                        **({"unrecorded": unknown} if unknown else {})},
    }


def _dumped(summary: dict) -> str:
    return json.dumps(summary, indent=2) + "\n"


def test_summary_json_of_a_real_batch_is_byte_identical_to_the_untyped_summary(batch_out, lesson):
    from grader.batch.summary import mistake_titles, read_batch_dir, summarize

    written = (batch_out / "summary.json").read_text()
    raw = _documents(batch_out)
    assert written == _dumped(_oracle_summary(raw, 7, mistake_titles(lesson)))
    _, documents = read_batch_dir(batch_out)
    assert _dumped(summarize(documents, 7, mistake_titles(lesson)).to_dict()) == written
    for document, original in zip(documents, raw):  # a document read back is written back unchanged
        assert json.dumps(document.to_dict(), indent=2) == json.dumps(original, indent=2)


def test_a_summary_with_shards_quizzes_and_unrecorded_confinement_matches_the_untyped_one(lesson):
    from classroom import sample_document
    from grader.batch.shards import parse_shard
    from grader.batch.summary import mistake_titles, summarize
    from grader.core.records import BatchDocument

    quiz = {"score": 7, "total": 8, "percent": 87.5, "passed": True}
    raw = [sample_document("amy", "passed", quiz=quiz), sample_document("bo", "failed"),
           sample_document("cy", "timeout"), sample_document("dee", "failed", quiz={**quiz, "passed": False})]
    del raw[1]["confinement"]  # written before documents said how they were confined
    raw[2]["confinement"] = {"complete": False, "missing": ["seccomp", "landlock"]}
    raw[3]["exercises"][1]["calls_failing"] = ["stable_softmax"]
    documents = [BatchDocument.from_dict(json.loads(json.dumps(d)), d["batch"]["name"]) for d in raw]
    titles = mistake_titles(lesson)
    shard = parse_shard("2/3")
    typed = summarize(documents, 2026, titles, shard, 11).to_dict()
    assert _dumped(typed) == _dumped(_oracle_summary(raw, 2026, titles, (shard.index, shard.count, 11)))
    assert typed["confinement"]["unrecorded"] == 1 and typed["counts"]["quiz_taken"] == 2
    assert "confinement" not in documents[1].to_dict()  # nor is one invented when it is written back
