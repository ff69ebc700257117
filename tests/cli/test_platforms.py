"""Instructor platforms as their consumers read them: GitHub Classroom's reporter, Gradescope's visibility,
and the exit codes a CI step decides on."""
from __future__ import annotations

import base64
import json

import pytest
from click.testing import CliRunner

from classroom import mistake, sample_report
from grader.cli.app import main
from grader.render.classroom import classroom_dict
from grader.render.gradescope import VISIBILITIES, gradescope_dict
from projects import make_project
from variants import REFERENCE, build_submission

SEED = "11"

# The fields of the result object, as education/autograding-command-grader's src/main.js
# (generateResult) builds it and education/autograding-grading-reporter reads it.
CLASSROOM_TOP = {"version", "status", "max_score", "tests"}
CLASSROOM_TEST = {"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}


def reporter_view(result: dict) -> tuple[float, float, float]:
    """What the reporter makes of one runner's object, step by step as its code does it:
    src/main.js decodes ``<RUNNER>_RESULTS`` (base64 of the JSON); src/notify-classroom.js sums
    ``tests[].score`` of runners with a truthy ``max_score`` and sends ``Points total/max`` to Classroom;
    src/helpers/test-helpers.js (getTestScore) prints passed tests / tests x max_score in the log table.
    Returns (Classroom's points, Classroom's maximum, the log table's score)."""
    decoded = json.loads(base64.b64decode(base64.b64encode(json.dumps(result).encode())).decode("utf-8"))
    total = sum(test["score"] for test in decoded["tests"]) if decoded["max_score"] else 0
    passed = sum(test["status"] == "pass" for test in decoded["tests"])
    return total, decoded["max_score"] or 0, passed / len(decoded["tests"]) * (decoded["max_score"] or 0)


def assert_classroom_result(result: dict) -> None:
    assert set(result) == CLASSROOM_TOP and result["version"] == 1
    assert result["status"] in {"pass", "fail", "error"}
    assert isinstance(result["max_score"], (int, float)) and result["max_score"] > 0
    assert result["tests"]
    for test in result["tests"]:
        assert set(test) == CLASSROOM_TEST
        assert test["status"] in {"pass", "fail", "error"}
        assert isinstance(test["score"], (int, float)) and test["score"] >= 0
        assert all(isinstance(test[key], str) for key in ("name", "message", "test_code", "filename"))
        assert test["line_no"] == 0 and isinstance(test["duration"], int) and test["duration"] >= 0
        assert len(test["message"]) <= 500 and test["message"].isprintable()
    assert result["status"] == ("pass" if all(t["status"] == "pass" for t in result["tests"]) else "fail")


def test_classroom_object_gives_partial_credit_per_exercise():
    result = classroom_dict(sample_report("sam", "failed", "looks like summing\n\x1b[31m"))
    assert_classroom_result(result)
    points, maximum, _ = reporter_view(result)
    assert (points, maximum) == (4.5, 6.0)
    tests = {t["name"]: t for t in result["tests"]}
    assert (tests["sequence_mean_loss"]["score"], tests["sequence_mean_loss"]["status"]) == (1.5, "fail")
    assert tests["sequence_mean_loss"]["message"] == ("1.5/3 points; checks failed: random_mean (hidden); "
                                                      "mistake recognised: sum_not_mean")  # named (issue 22)
    assert tests["stable_softmax"]["status"] == "pass" and result["status"] == "fail"


def test_grade_check_format_classroom(tmp_path):
    submission = build_submission(tmp_path, mistake("sum_not_mean"))
    result = CliRunner().invoke(main, ["check", str(submission), "--format", "classroom", "--seed", SEED])
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert_classroom_result(document)
    assert reporter_view(document)[:2] == (32.0, 35.0)
    tests = {t["name"]: t for t in document["tests"]}
    assert tests["sequence_mean_loss"]["score"] == 0 and tests["stable_softmax"]["score"] == 5
    assert "mistake recognised: sum_not_mean" in tests["sequence_mean_loss"]["message"]
    assert f"Seed: {SEED} (given" in result.stderr


def test_classroom_is_a_credit_format(tmp_path, monkeypatch):
    """The same gate as gradescope: never the practice seed; never from a bare `grade`."""
    submission = build_submission(tmp_path, {})
    refused = CliRunner().invoke(main, ["check", str(submission), "--format", "classroom", "--seed", "2026"])
    assert refused.exit_code == 2 and "practice seed" in refused.stderr
    monkeypatch.chdir(make_project(tmp_path / "p"))
    bare = CliRunner().invoke(main, ["--format", "classroom"])
    assert bare.exit_code == 2 and "use grade check PATH --format classroom" in bare.stderr


def test_a_malformed_quiz_file_costs_only_the_quiz_for_credit(tmp_path):
    directory = make_project(tmp_path, REFERENCE)
    (directory / "quiz_answers.yaml").write_text("q1: [not, a, choice]\n")
    result = CliRunner().invoke(main, ["check", str(directory), "--format", "gradescope", "--seed", SEED])
    assert result.exit_code == 0, result.output  # the exercises all have full marks
    results = json.loads(result.stdout)
    assert results["score"] == 35
    quiz = next(t for t in results["tests"] if t["name"] == "mastery quiz")
    assert quiz["status"] == "failed" and quiz["output"].startswith("not graded: ") and "quiz_answers.yaml" in quiz["output"]
    assert "Quiz: not graded: " in results["output"]
    assert "warning: the quiz was not graded" in result.stderr
    # Practice keeps its contract: the report, then exit 2 for the bad file.
    practice = CliRunner().invoke(main, ["check", str(directory), "--format", "json"])
    assert practice.exit_code == 2 and json.loads(practice.stdout)["score"] == 35


@pytest.mark.parametrize("visibility", VISIBILITIES)
def test_gradescope_output_says_when_hidden_results_show(visibility):
    results = gradescope_dict(sample_report("sam", "failed"), visibility)
    hidden = [t for t in results["tests"] if "hidden" in t["tags"]]
    assert hidden and all(t["visibility"] == visibility for t in hidden)
    expected = {"hidden": "never shown to students, so neither is your total score",
                "after_due_date": "appear after the due date",
                "after_published": "appear once grades are published",
                "visible": "listed below with the others"}[visibility]
    assert expected in results["output"]
    others = [text for key, text in {"hidden": "never shown", "after_due_date": "after the due date",
                                     "after_published": "once grades are published"}.items() if key != visibility]
    assert not any(text in results["output"] for text in others)


def test_selected_exercises_alone_decide_the_exit_code(tmp_path):
    """`grade check . --exercise X` for a Classroom test step: X with full marks exits 0 whatever the quiz."""
    directory = make_project(tmp_path, REFERENCE, correct_answers=2)  # a failed quiz
    full = CliRunner().invoke(main, ["check", str(directory), "--exercise", "stable_softmax"])
    assert full.exit_code == 0, full.output
    whole = CliRunner().invoke(main, ["check", str(directory)])
    assert whole.exit_code == 1  # without --exercise the quiz counts, as the lesson does
    (tmp_path / "b").mkdir()
    broken = build_submission(tmp_path / "b", mistake("no_max_shift"))
    short = CliRunner().invoke(main, ["check", str(broken), "--exercise", "stable_softmax"])
    assert short.exit_code == 1


def test_a_directory_with_two_exercise_files_says_which_is_graded(tmp_path):
    build_submission(tmp_path, mistake("sum_not_mean"))
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "softmax_cross_entropy.py").write_text(REFERENCE.read_text())
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--exercise", "sequence_mean_loss"])
    assert result.exit_code == 1  # the root's file, with its mistake, is the one graded
    assert (f"note: {tmp_path} holds both softmax_cross_entropy.py and exercises/softmax_cross_entropy.py: "
            "grading softmax_cross_entropy.py (the one at its root); exercises/softmax_cross_entropy.py is not graded"
            ) in result.stderr
    (tmp_path / "softmax_cross_entropy.py").unlink()
    alone = CliRunner().invoke(main, ["check", str(tmp_path), "--exercise", "sequence_mean_loss"])
    assert alone.exit_code == 0 and "note:" not in alone.stderr


def test_help_groups_the_commands_by_who_runs_them_with_whole_descriptions():
    result = CliRunner().invoke(main, ["--help"], terminal_width=200)
    assert result.exit_code == 0
    text = result.stdout
    titles = ["Student commands:", "Instructor commands:", "Course author commands:"]
    assert [text.index(t) for t in titles] == sorted(text.index(t) for t in titles)
    student, instructor, author = (text.split(t)[1].split("\n\n")[0] for t in titles)
    names = lambda block: [line.split()[0] for line in block.strip().splitlines()]  # noqa: E731
    assert names(student) == ["check", "watch", "hint", "list", "quiz", "reset", "restore", "lessons"]
    assert names(instructor) == ["batch", "merge", "doctor", "quiz-key"]
    assert names(author) == ["validate", "release", "new-lesson"]
    assert "..." not in text.split("Student commands:")[1]
    assert set(main.commands) == set(names(student) + names(instructor) + names(author))  # none left out
