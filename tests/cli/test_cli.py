"""The `grade` command as a user meets it: reports, exit codes, the JSON contract, bad usage."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner, Result

from grader.cli.app import main
from variants import MISTAKES, REFERENCE, STUB, build_submission

REPORT_KEYS = {"schema_version", "submission", "seed", "score", "max_score", "exercises", "quiz", "confinement",
               "file_choice", "left_out"}
EXERCISE_KEYS = {"name", "score", "max_score", "status", "seconds", "checks", "calls_failing"}
CHECK_KEYS = {"name", "points", "max_points", "passed", "hidden", "message", "mistake"}
STATUSES = {"passed", "failed", "not_implemented", "missing", "error", "timeout"}


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_reference_passes_with_exit_0_and_a_readable_report():
    result = run("check", str(REFERENCE))
    assert result.exit_code == 0
    assert "✓ stable_softmax" in result.stdout
    assert "Total: 35/35 points" in result.stdout
    assert "Seed: 2026" in result.stdout


def test_stub_exits_1_and_says_not_implemented():
    result = run("check", str(STUB))
    assert result.exit_code == 1
    assert result.stdout.count("not implemented yet") == 9
    assert "Total: 0/35 points" in result.stdout


def test_failed_check_shows_expected_got_and_the_mistake(tmp_path):
    function, source = MISTAKES["gradient_sign_flipped"]
    result = run("check", str(build_submission(tmp_path, {function: source})), "--exercise", function)
    assert result.exit_code == 1
    assert "✗ lesson_gradient" in result.stdout
    assert "expected [ 0.8438, -0.8858, 0.042 ], got [-0.8438, 0.8858, -0.042 ]" in result.stdout
    assert "Looks like the gradient with its sign flipped (y - p)" in result.stdout


def test_json_report_follows_the_documented_schema(tmp_path):
    function, source = MISTAKES["sum_not_mean"]
    result = run("check", str(build_submission(tmp_path, {function: source})), "--format", "json", "--seed", "7")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert set(document) == REPORT_KEYS
    assert document["schema_version"] == 1 and document["seed"] == 7 and document["quiz"] is None
    assert document["max_score"] == 35 and document["score"] == 32
    for exercise in document["exercises"]:
        assert set(exercise) == EXERCISE_KEYS and exercise["status"] in STATUSES
        assert exercise["score"] == sum(c["points"] for c in exercise["checks"])
        for check in exercise["checks"]:
            assert set(check) == CHECK_KEYS
            assert isinstance(check["points"], float) and isinstance(check["hidden"], bool)
    mean = next(e for e in document["exercises"] if e["name"] == "sequence_mean_loss")
    assert mean["status"] == "failed"
    assert {c["mistake"] for c in mean["checks"]} == {"sum_not_mean"}


def test_output_file_receives_the_report(tmp_path):
    target = tmp_path / "out" / "report.json"
    result = run("check", str(REFERENCE), "--format", "json", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(target.read_text())["score"] == 35


def test_directory_submissions_are_found_at_root_or_under_exercises(tmp_path):
    (tmp_path / "a").mkdir()
    shutil.copy(REFERENCE, tmp_path / "a" / "softmax_cross_entropy.py")
    (tmp_path / "b" / "exercises").mkdir(parents=True)
    shutil.copy(REFERENCE, tmp_path / "b" / "exercises" / "softmax_cross_entropy.py")
    for name in ("a", "b"):
        assert run("check", str(tmp_path / name), "--exercise", "stable_softmax").exit_code == 0


def test_bare_grade_grades_the_project_it_is_run_in(tmp_path, monkeypatch):
    (tmp_path / "exercises").mkdir()
    shutil.copy(STUB, tmp_path / "exercises" / "softmax_cross_entropy.py")
    (tmp_path / "exercises" / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "exercises" / "sub")
    result = run("--exercise", "stable_softmax")
    assert result.exit_code == 1
    assert "exercises/softmax_cross_entropy.py" in result.stdout and "not implemented yet" in result.stdout
    progress = json.loads((tmp_path / ".grade-progress.json").read_text())
    assert progress["exercises"]["stable_softmax"]["status"] == "not_implemented"
    monkeypatch.chdir(tmp_path)  # at the project's root, the file as the README shows it
    assert run("--exercise", "stable_softmax").stdout.startswith("Grading exercises/softmax_cross_entropy.py\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "no/such/file.py"], "no/such/file.py: no such file or directory"),
        (["check", "README.md"], "not a Python file"),
        (["check", "."], "no softmax_cross_entropy.py at its root or under exercises/"),
        (["check", str(REFERENCE), "--exercise", "nope"], "unknown exercise 'nope'; choose from: stable_softmax"),
        (["check", str(REFERENCE), "--format", "yaml"], "Invalid value for '--format'"),
        (["check", str(REFERENCE), "--timeout", "0"], "Invalid value for '--timeout'"),
    ],
)
def test_bad_usage_exits_2_with_one_clear_line(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "README.md").write_text("hi")
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_bare_grade_outside_a_project_exits_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2
    assert "no exercises/softmax_cross_entropy.py" in result.stderr


def test_unwritable_output_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = run("check", str(REFERENCE), "--exercise", "stable_softmax", "--output", str(blocker / "report.txt"))
    assert result.exit_code == 2
    assert "report.txt: cannot write it" in result.stderr
