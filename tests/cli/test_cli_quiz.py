"""`grade` with quiz answers: the quiz in the report, and the lesson's completion."""
from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from grader.cli.app import main
from projects import grade_in, make_project
from variants import REFERENCE, STUB


def test_full_marks_and_a_passed_quiz_complete_the_lesson(tmp_path):
    result = grade_in(make_project(tmp_path, REFERENCE, correct_answers=7))
    assert result.exit_code == 0
    assert "Quiz: 7/8 = 87.5%, passed" in result.stdout
    assert "Lesson complete" in result.stdout


def test_a_quiz_at_75_percent_keeps_the_lesson_incomplete(tmp_path):
    result = grade_in(make_project(tmp_path, REFERENCE, correct_answers=6))
    assert result.exit_code == 1
    assert "Quiz: 6/8 = 75%, not passed" in result.stdout
    assert "Still needed: a quiz score above 75%" in result.stdout
    assert "exercises still short" not in result.stdout


def test_without_answers_the_report_says_the_quiz_is_missing(tmp_path):
    result = grade_in(make_project(tmp_path, STUB, correct_answers=None), "--exercise", "stable_softmax")
    assert result.exit_code == 1
    assert "Quiz:" not in result.stdout


def test_json_report_carries_the_quiz_object(tmp_path):
    result = grade_in(make_project(tmp_path, STUB, correct_answers=8), "--format", "json", "--exercise", "stable_softmax")
    quiz = json.loads(result.stdout)["quiz"]
    assert quiz["score"] == 8 and quiz["passed"] is True and quiz["pass_above"] == 0.75
    assert [q["id"] for q in quiz["questions"]] == [f"q{i}" for i in range(1, 9)]


def test_grade_check_on_a_directory_includes_its_quiz_answers(tmp_path):
    directory = make_project(tmp_path, REFERENCE, correct_answers=8)
    result = CliRunner().invoke(main, ["check", str(directory), "--format", "json"])
    assert json.loads(result.stdout)["quiz"]["percent"] == 100.0
    assert result.exit_code == 0


def test_a_broken_answers_file_exits_2(tmp_path):
    directory = make_project(tmp_path, REFERENCE, correct_answers=None)
    (directory / "quiz_answers.yaml").write_text("q1: z\n")
    result = grade_in(directory)
    assert result.exit_code == 2
    assert "quiz_answers.yaml" in result.stderr and "q1" in result.stderr
    assert "Total: 35/35 points" in result.stdout  # the exercises' report is not lost


def test_the_quiz_saves_answers_at_the_project_root(tmp_path):
    directory = make_project(tmp_path, STUB, correct_answers=None)
    (directory / "exercises" / "deep").mkdir()
    result = grade_in(directory / "exercises" / "deep", "quiz", input="a\n")
    assert result.exit_code == 1
    assert yaml.safe_load((directory / "quiz_answers.yaml").read_text())["q1"] == "a"
    assert "run `grade quiz` to continue" in result.stdout


def test_a_partial_quiz_is_worded_alike_in_grade_and_grade_list(tmp_path):
    directory = make_project(tmp_path, REFERENCE, correct_answers=8)
    answers = yaml.safe_load((directory / "quiz_answers.yaml").read_text())
    (directory / "quiz_answers.yaml").write_text(yaml.safe_dump(dict(list(answers.items())[:3])))
    wording = "5 unanswered: not passed yet (continue with: grade quiz)"
    graded, listed = grade_in(directory), grade_in(directory, "list")
    assert graded.exit_code == listed.exit_code == 1
    assert f"Quiz: 3/8 = 37.5%, {wording}" in graded.stdout
    assert "Still needed: the rest of the quiz (continue with: grade quiz)." in graded.stdout
    assert f"Quiz: 3/8 correct (37.5%), {wording}" in listed.stdout  # one percentage format everywhere


def test_the_quiz_percentage_reads_the_same_in_every_output(tmp_path):
    """Issue 22: 87.5% in `grade quiz`, 88% in `grade list` before; one format (formatting.percent) now."""
    directory = make_project(tmp_path, REFERENCE, correct_answers=7)
    answers = str(directory / "quiz_answers.yaml")
    outputs = {
        "quiz": grade_in(directory, "quiz", "--answers", answers).stdout,
        "grade": grade_in(directory, "--exercise", "stable_softmax").stdout,
        "list": grade_in(directory, "list").stdout,
        "markdown": grade_in(directory, "--format", "markdown", "--exercise", "stable_softmax").stdout,
        "gradescope": json.loads(grade_in(directory, "check", ".", "--format", "gradescope", "--unconfined",
                                          "--exercise", "stable_softmax").stdout)["output"],
    }
    for name, text in outputs.items():
        assert "87.5%" in text and "88%" not in text, (name, text)
