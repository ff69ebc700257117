"""Platform outputs checked against their formats: Gradescope results.json, JUnit XML, Markdown, CSV."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from classroom import HOSTILE_MESSAGE, mistake, sample_batch_document, sample_report
from grader.cli.app import main
from grader.render.gradebook_csv import render_gradebook
from grader.render.gradescope import gradescope_dict
from grader.render.json_report import report_dict
from grader.render.junit import Suite, render_junit
from grader.render.markdown import render_markdown
from variants import build_submission

# From Gradescope's autograder specification (see /work/shared/notes/formats.md).
GRADESCOPE_TOP = {"score", "execution_time", "output", "output_format", "test_output_format", "test_name_format",
                  "visibility", "stdout_visibility", "extra_data", "tests", "leaderboard"}
GRADESCOPE_TEST = {"score", "max_score", "status", "name", "name_format", "number", "output", "output_format",
                   "tags", "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
FORMATS = {"text", "html", "simple_format", "md", "ansi"}


def assert_gradescope_results(results: dict) -> None:
    assert set(results) <= GRADESCOPE_TOP
    assert isinstance(results["score"], (int, float)) and isinstance(results["execution_time"], (int, float))
    assert isinstance(results["output"], str) and results["output_format"] in FORMATS
    assert results.get("visibility", "visible") in VISIBILITIES
    assert isinstance(results.get("extra_data", {}), dict)
    assert isinstance(results["tests"], list) and results["tests"]
    for test in results["tests"]:
        assert set(test) <= GRADESCOPE_TEST, set(test) - GRADESCOPE_TEST
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in {"passed", "failed"}
        assert test["visibility"] in VISIBILITIES
        assert isinstance(test["output"], str) and isinstance(test["number"], str)
        assert all(isinstance(tag, str) for tag in test["tags"])
    assert len({t["name"] for t in results["tests"]}) == len(results["tests"])


def test_gradescope_results_follow_the_spec_and_hide_hidden_checks():
    report = sample_report("sam", "failed", "looks like summing: expected 1.2, got 2.4")
    results = gradescope_dict(report)
    assert_gradescope_results(results)
    assert results["score"] == report.score == 4.5
    assert sum(t["score"] for t in results["tests"]) == results["score"]
    tests = {t["name"]: t for t in results["tests"]}
    assert tests["stable_softmax: lesson_logits"]["visibility"] == "visible"
    hidden = tests["sequence_mean_loss: random_mean"]
    assert hidden["visibility"] == "after_published" and hidden["status"] == "failed"
    assert hidden["output"] == "looks like summing: expected 1.2, got 2.4"
    # What students see at once names no hidden result: neither the message nor a pass/fail verdict.
    assert "summing" not in results["output"] and "random_mean" not in results["output"]
    assert "- sequence_mean_loss: 1/1 public checks passed\n" in results["output"]


def test_gradescope_keeps_fractional_points_and_says_when_an_exercise_did_not_run():
    results = gradescope_dict(sample_report("sam", "timeout"))
    assert_gradescope_results(results)
    assert [t["max_score"] for t in results["tests"]] == [1.0, 2.0, 1.5, 1.5]
    assert "sequence_mean_loss: 0/1 public checks passed (timed out)" in results["output"]


def test_gradescope_says_once_at_the_top_why_a_file_that_does_not_import_scored_nothing(tmp_path):
    """Issue 22: not nine '0/1 public checks passed (error)' lines that never say why."""
    broken = tmp_path / "softmax_cross_entropy.py"
    broken.write_text("import numpy as np\n\ndef stable_softmax(logits, axis=-1:\n    return logits\n")
    result = CliRunner().invoke(main, ["check", str(broken), "--format", "gradescope", "--unconfined", "--seed", "1"])
    output = json.loads(result.stdout)["output"]
    assert "public checks passed" not in output
    assert output.count("SyntaxError") == 1 and "line 3" in output
    assert "Your file could not be imported, so none of the 9 exercises could run:" in output


def test_hidden_checks_visibility_can_be_chosen(tmp_path):
    submission = build_submission(tmp_path, mistake("sum_not_mean"))
    result = CliRunner().invoke(main, ["check", str(submission), "--format", "gradescope", "--exercise",
                                       "sequence_mean_loss", "--hidden-visibility", "after_due_date"])
    visibilities = {t["name"]: t["visibility"] for t in json.loads(result.stdout)["tests"]}
    assert visibilities["sequence_mean_loss: lesson_mean"] == "visible"
    assert visibilities["sequence_mean_loss: random_mean"] == "after_due_date"


def test_grade_check_format_gradescope_and_junit(tmp_path, lesson):
    submission = build_submission(tmp_path, mistake("no_max_shift"))
    results_file, junit_file = tmp_path / "results" / "results.json", tmp_path / "junit.xml"
    result = CliRunner().invoke(main, ["check", str(submission), "--format", "gradescope", "--output",
                                       str(results_file), "--junit", str(junit_file)], catch_exceptions=False)
    assert result.exit_code == 1
    results = json.loads(results_file.read_text())
    assert_gradescope_results(results)
    assert results["score"] < 35 and results["extra_data"]["max_score"] == 35
    checks = sum(len(e.checks) for e in lesson.exercises)
    assert len(results["tests"]) == checks and sum(t["max_score"] for t in results["tests"]) == 35
    failed = [t for t in results["tests"] if t["status"] == "failed"]
    assert failed and all(t["name"].startswith("stable_softmax: ") for t in failed)
    suite = assert_junit(junit_file.read_text())[0]
    assert suite.get("name") == str(submission) and suite.get("tests") == str(checks)
    assert int(suite.get("failures")) == len(failed) and suite.get("errors") == "0"
    assert suite.get("timestamp") and suite.get("hostname")
    # Classed under the file's stem: a viewer reads a classname's dots as packages (not the path's).
    assert {case.get("classname") for case in suite.iter("testcase")} == {
        f"softmax_cross_entropy.{e.name}" for e in lesson.exercises}
    # ... and the docs say so (issue 22: they said SUBMISSION.EXERCISE only, the path given being the suite's name).
    docs = (Path(__file__).resolve().parents[2] / "docs" / "batch.md").read_text()
    assert "for `grade check`, the graded file's name without its folder" in docs
    assert "`softmax_cross_entropy.stable_softmax` for `exercises/softmax_cross_entropy.py`" in docs


JUNIT_SCHEMA = Path(__file__).resolve().parents[1] / "junit-10.xsd"  # a copy of /work/shared/specs/junit-10.xsd


def junit_facts(case: ET.Element) -> dict[str, str]:
    """The points, hidden flag, exercise status and mistake a testcase carries in its system-out."""
    return dict(line.split(": ", 1) for line in case.find("system-out").text.splitlines())


def assert_junit(text: str) -> list[ET.Element]:
    """Valid against Jenkins' junit-10.xsd, with consistent counts; returns the suites."""
    import xmlschema

    xmlschema.XMLSchema(str(JUNIT_SCHEMA)).validate(text)  # raises, naming the element, when invalid
    root = ET.fromstring(text.encode())
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    for suite in suites:
        assert set(suite.attrib) >= {"name", "tests", "failures", "errors", "skipped", "time"}
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("errors")) == sum(c.find("error") is not None for c in cases)
        assert int(suite.get("skipped")) == sum(c.find("skipped") is not None for c in cases)
        float(suite.get("time"))
        for case in cases:
            assert case.get("classname") and case.get("name") and float(case.get("time")) >= 0
            assert case.find("properties") is None
            outcomes = [child for child in case if child.tag in ("failure", "error", "skipped")]
            assert len(outcomes) <= 1
            for outcome in outcomes:
                assert outcome.get("message") is not None and outcome.get("type")
            scored, out_of = junit_facts(case)["points"].split("/")
            assert float(scored) <= float(out_of)
            assert (float(scored) == float(out_of)) == (not outcomes)
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    assert root.get("skipped") is None
    return suites


def test_the_junit_schema_refuses_what_jenkins_would_skip():
    """The validation above can fail: the old shape (properties in a testcase, skipped on testsuites) is refused."""
    import pytest
    import xmlschema

    schema = xmlschema.XMLSchema(str(JUNIT_SCHEMA))
    bad_case = ('<testsuites><testsuite name="s" tests="1" failures="0" errors="0"><testcase name="c">'
                '<properties><property name="points" value="1"/></properties></testcase></testsuite></testsuites>')
    bad_root = '<testsuites skipped="0"><testsuite name="s" tests="0" failures="0" errors="0"/></testsuites>'
    for text in (bad_case, bad_root):
        with pytest.raises(xmlschema.XMLSchemaValidationError):
            schema.validate(text)


def test_junit_failure_for_a_failed_check_error_for_a_timeout():
    documents = [report_dict(sample_report("sam", "failed")), report_dict(sample_report("tim", "timeout"))]
    suites = assert_junit(render_junit([Suite("sam", documents[0], 1.0), Suite("tim", documents[1], 2.0)]))
    sam, tim = suites
    failed = sam.find("testcase[@name='random_mean']")
    assert failed.get("classname") == "sam.sequence_mean_loss"
    assert failed.find("failure").get("type") == "sum_not_mean"
    assert junit_facts(failed) == {"points": "0/1.5", "hidden": "true", "exercise_status": "failed",
                                   "mistake": "sum_not_mean"}
    assert sam.get("failures") == "1" and sam.get("errors") == "0"
    assert tim.get("failures") == "0" and tim.get("errors") == "2"
    assert tim.find("testcase[@name='lesson_mean']/error").get("type") == "timeout"
    assert junit_facts(sam.find("testcase[@name='lesson_logits']"))["points"] == "1/1"


def test_junit_marks_stubs_as_not_implemented_and_times_each_exercise():
    document = report_dict(sample_report("sam", "failed"))
    document["exercises"][0]["seconds"] = 0.5
    document["exercises"][1]["status"] = "not_implemented"
    suite = assert_junit(render_junit([Suite("sam", document, 1.0)]))[0]
    assert [case.get("time") for case in suite.findall("testcase")[:2]] == ["0.250", "0.250"]
    skipped = suite.find("testcase[@name='random_mean']/skipped")
    assert skipped.get("message") == "not implemented yet"
    assert suite.get("skipped") == "1" and suite.get("failures") == "0"


def test_junit_survives_hostile_messages():
    message = "<script>alert(1)</script>\x1b[31m\x00 & \"q\" ]]> \ud800"
    document = report_dict(sample_report("<evil & name>", "failed", message))
    text = render_junit([Suite("<evil & name>", document)])
    suite = assert_junit(text)[0]
    assert suite.get("name") == "<evil & name>"
    failure = suite.find("testcase[@name='random_mean']/failure")
    assert failure.text.startswith("<script>alert(1)</script>\\x1b[31m\\x00 & \"q\" ]]>")


@pytest.mark.parametrize("count", [0, 1, 3])
def test_junit_written_in_pieces_is_the_same_file_byte_for_byte(tmp_path, count):
    """grade batch and grade merge write JUnit suite by suite through a spool (junit_chunks), never the class's
    tree at once: the text is render_junit's exactly, hostile names, timestamps and empty classes included."""
    from grader.render.junit import junit_chunks

    kinds = ["failed", "timeout", "passed"]
    suites = [Suite(name, report_dict(sample_report(name, kinds[i % 3], "<b>&\x1b]]>")), 0.1 * (i + 1))
              for i, name in enumerate(["<evil & name>", "tim", "ann"][:count])]
    whole = render_junit(suites, "2026-12-02T08:00:00+00:00", "host & co")
    with open(tmp_path / "spool", "w+", encoding="utf-8") as spool:
        pieces = list(junit_chunks(iter(suites), spool, "2026-12-02T08:00:00+00:00", "host & co"))
    assert "".join(pieces) == whole
    assert len(assert_junit(whole)) == count


def test_markdown_report_for_a_job_summary():
    text = render_markdown(sample_report("sam", "failed", "got ``` and | pipes\n```\n# not a heading"))
    assert text.startswith("## Grade: 4.5/6 points\n")
    assert "| stable\\_softmax | ✅ passed | 3/3 |" in text
    assert "| sequence\\_mean\\_loss | ❌ failed | 1.5/3 |" in text
    assert "- ✗ **random\\_mean (hidden)**" in text
    # the message sits in a fence longer than any backtick run inside it, so it cannot break out
    assert "````text\ngot ``` and | pipes\n```\n# not a heading\n````" in text


def test_grade_check_format_markdown(tmp_path):
    submission = build_submission(tmp_path, mistake("sum_not_mean"))
    result = CliRunner().invoke(main, ["check", str(submission), "--format", "markdown"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout.startswith("## Grade: 32/35 points")
    assert "| sequence\\_mean\\_loss | ❌ failed | 0/3 |" in result.stdout


def test_gradebook_csv_keeps_fractions_and_defuses_formulas():
    documents = [sample_batch_document("=HYPERLINK(\"x\")", "failed", batch_message="+1 multi\nline"),
                 sample_batch_document("amy", "passed", quiz={"percent": 87.5, "passed": True})]
    rows = list(csv.DictReader(io.StringIO(render_gradebook(documents))))
    assert [row["name"] for row in rows] == ["'=HYPERLINK(\"x\")", "amy"]
    assert rows[0]["score"] == "4.5" and rows[0]["sequence_mean_loss"] == "1.5" and rows[0]["max_score"] == "6"
    assert rows[0]["message"] == "'+1 multi line"
    assert (rows[1]["quiz_percent"], rows[1]["quiz_passed"]) == ("87.5", "true")
    assert (rows[0]["quiz_percent"], rows[0]["quiz_passed"]) == ("", "")


def test_gradebook_for_excel_keeps_non_ascii_names():
    documents = [sample_batch_document("Zoë Łukasiewicz", "passed"), sample_batch_document("=cmd", "failed")]
    text = render_gradebook(documents, excel=True)
    assert text.startswith("\ufeffname,score,") and text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.DictReader(io.StringIO(text.encode("utf-8").decode("utf-8-sig"), newline="")))
    assert [row["name"] for row in rows] == ["'=cmd", "Zoë Łukasiewicz"]  # guarded: not the roster's name


def test_hostile_student_text_reaches_the_reporters_intact(tmp_path: Path):
    """A real graded submission whose exception message holds markup, NUL and a terminal escape."""
    submission = build_submission(tmp_path, {"cross_entropy_gradient":
                                             f"def cross_entropy_gradient(logits, target_index):\n    {HOSTILE_MESSAGE}\n"})
    junit_file = tmp_path / "junit.xml"
    result = CliRunner().invoke(main, ["check", str(submission), "--exercise", "cross_entropy_gradient",
                                       "--junit", str(junit_file), "--format", "gradescope"], catch_exceptions=False)
    assert result.exit_code == 1
    assert_gradescope_results(json.loads(result.stdout))
    suite = assert_junit(junit_file.read_text())[0]
    assert "<script>alert(1)</script>" in suite.find("testcase/failure").text


RUN_AUTOGRADER = Path(__file__).resolve().parents[2] / "docs" / "examples" / "gradescope" / "run_autograder"


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
@pytest.mark.e2e  # a real process end to end
def test_the_documented_run_autograder_writes_gradescope_results(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "venv").symlink_to(Path(sys.executable).parents[1])
    build_submission(root / "submission", mistake("sum_not_mean"))
    environment = {**os.environ, "AUTOGRADER": str(root)}
    subprocess.run(["bash", str(RUN_AUTOGRADER)], env=environment, check=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    assert_gradescope_results(results)
    assert results["score"] == 32

    (root / "submission" / "softmax_cross_entropy.py").unlink()  # a submission with nothing to grade
    subprocess.run(["bash", str(RUN_AUTOGRADER)], env=environment, check=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    assert set(results) <= GRADESCOPE_TOP and results["score"] == 0
    assert results["output"].startswith("Your submission could not be graded: ")
    assert "no softmax_cross_entropy.py at its root or under exercises/" in results["output"]

    # Only the quiz answers are malformed: the complete result stays, the quiz is not graded.
    build_submission(root / "submission", mistake("sum_not_mean"))
    (root / "submission" / "quiz_answers.yaml").write_text("q1: [not, a, choice]\n")
    subprocess.run(["bash", str(RUN_AUTOGRADER)], env=environment, check=True, timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    assert_gradescope_results(results)
    assert results["score"] == 32
    assert next(t for t in results["tests"] if t["name"] == "mastery quiz")["output"].startswith("not graded: ")


@pytest.mark.e2e  # a real process end to end
def test_the_documented_run_autograder_fails_loudly_where_it_cannot_confine(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "venv" / "bin").mkdir(parents=True)
    (root / "venv" / "bin" / "python").symlink_to(sys.executable)
    fake = root / "venv" / "bin" / "grade"
    fake.write_text("#!/bin/sh\n[ \"$1\" = doctor ] && { echo '  ✗ PID namespace: ...'; exit 1; }\n"
                    "echo graded > \"$AUTOGRADER/graded\"\n")
    fake.chmod(0o755)
    build_submission(root / "submission", {})
    completed = subprocess.run(["bash", str(RUN_AUTOGRADER)], env={**os.environ, "AUTOGRADER": str(root)},
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 1 and "PID namespace" in completed.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == 0 and "could not confine student code" in results["output"]
    assert "PID namespace" in results["output"] and not (root / "graded").exists()


def test_docs_show_the_gradescope_scripts_as_they_are():
    docs = RUN_AUTOGRADER.parents[2] / "batch.md"
    text = docs.read_text()
    for script in (RUN_AUTOGRADER, RUN_AUTOGRADER.with_name("setup.sh")):
        assert script.read_text() in text, f"docs/batch.md shows another {script.name}"
