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
