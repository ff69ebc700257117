"""The mastery quiz: the packaged file, the schema check, scoring, answers files and the JSON contract."""
from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from grader.course.course import load_lesson
from grader.core.errors import UsageError
from grader.course.quiz import Quiz, load_answers, load_quiz, render_quiz_text, score_quiz
from grader.cli.quiz import quiz_command
from grader.course.quiz import key



@pytest.fixture(scope="module")
def quiz() -> Quiz:
    return load_quiz(load_lesson().quiz_path)


def correct(quiz: Quiz) -> dict[str, str]:
    """The key, found by hashing (no letters hard-coded here)."""
    return {q.id: q.answer.id for q in quiz.questions}


def wrong(quiz: Quiz, qid: str) -> str:
    question = quiz.question(qid)
    return next(c.id for c in question.choices if not question.is_correct(c.id))


def answers_with(quiz: Quiz, right: int) -> dict[str, str]:
    """The first `right` questions answered correctly, the rest wrongly."""
    return {qid: (choice if n < right else wrong(quiz, qid)) for n, (qid, choice) in enumerate(correct(quiz).items())}


def write_yaml(path: Path, data: object) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# The packaged quiz


def test_packaged_quiz_has_the_lessons_eight_questions(quiz: Quiz) -> None:
    assert quiz.ids == tuple(f"q{n}" for n in range(1, 9))
    assert quiz.pass_above == 0.75
    for question in quiz.questions:
        assert question.choice_ids == ("a", "b", "c", "d")
        assert sum(question.is_correct(c) for c in question.choice_ids) == 1
        assert question.exercise in {e.name for e in load_lesson().exercises}
        assert all(c.explanation for c in question.choices)


def test_packaged_quiz_uses_the_lessons_numbers(quiz: Quiz) -> None:
    answer = {q.id: q.answer.text for q in quiz.questions}
    assert "1.238" in answer["q4"] and "2.170" in answer["q4"] and "88%" in answer["q4"]
    assert "0.114" in answer["q6"] and "2.17" in answer["q6"]
    assert "-0.9997" in answer["q8"] and "-0.0007" in answer["q8"]
    assert "0.980" in answer["q5"]


def test_q8_sends_students_to_the_gradient_exercise(quiz: Quiz) -> None:
    """Squared error against cross-entropy is about the p - y gradient, not about finite differences."""
    assert quiz.question("q8").exercise == "cross_entropy_gradient"


def test_the_quiz_file_does_not_show_the_key(quiz: Quiz) -> None:
    raw = yaml.safe_load(load_lesson().quiz_path.read_text())
    for item in raw["questions"]:
        assert set(item) == {"id", "prompt", "reread", "exercise", "choices", "salt", "key"}
        assert re.fullmatch(r"[0-9a-f]{64}", item["key"])
        for choice in item["choices"]:
            assert set(choice) == {"id", "text", "explanation"}
            assert not choice["explanation"].lower().startswith(("right", "correct"))
    assert not re.search(r"^\s*(correct|answer|is_correct)\s*:", load_lesson().quiz_path.read_text(), re.MULTILINE)


# The schema check


def small_quiz() -> dict:
    def question(qid: str) -> dict:
        salt, digest = key.seal(qid, "a")
        choices = [{"id": c, "text": f"choice {c}", "explanation": f"why {c}"} for c in "abc"]
        return {"id": qid, "prompt": "?", "reread": "a section", "exercise": "stable_softmax",
                "choices": choices, "salt": salt, "key": digest}

    return {"title": "Small", "pass_above": 0.75, "questions": [question("q1"), question("q2")]}


def two_correct(raw: dict) -> None:
    q2 = raw["questions"][1]
    q2["key"] = [key.digest(q2["salt"], "q2", "a"), key.digest(q2["salt"], "q2", "b")]


def no_correct(raw: dict) -> None:
    raw["questions"][1]["key"] = key.digest(raw["questions"][1]["salt"], "q2", "z")


def duplicate_question(raw: dict) -> None:
    raw["questions"][0] = dict(raw["questions"][1])


def duplicate_choice(raw: dict) -> None:
    raw["questions"][1]["choices"][2]["id"] = "b"


def missing_explanation(raw: dict) -> None:
    del raw["questions"][1]["choices"][2]["explanation"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (no_correct, "question q2: no correct choice"),
        (two_correct, "question q2: 2 correct choices (a, b)"),
        (duplicate_question, "question q2 appears twice"),
        (duplicate_choice, "question q2: choice b appears twice"),
        (missing_explanation, "question q2: choice c: missing explanation"),
    ],
)
def test_a_malformed_quiz_is_refused_naming_the_question(tmp_path: Path, damage, message: str) -> None:
    raw = small_quiz()
    load_quiz(write_yaml(tmp_path / "ok.yaml", raw))
    damage(raw)
    path = write_yaml(tmp_path / "bad.yaml", raw)
    with pytest.raises(UsageError) as refused:
        load_quiz(path)
    assert refused.value.message.startswith(f"{path}: ")
    assert message in refused.value.message
    assert "\n" not in refused.value.message


def test_a_malformed_quiz_ends_the_command_with_one_line(tmp_path: Path) -> None:
    raw = small_quiz()
    missing_explanation(raw)
    path = write_yaml(tmp_path / "bad.yaml", raw)
    result = CliRunner().invoke(quiz_command, ["--quiz", str(path), "--answers", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "q2" in result.stderr and "Traceback" not in result.output


# Scoring


def test_six_of_eight_is_75_percent_and_does_not_pass(quiz: Quiz) -> None:
    result = score_quiz(quiz, answers_with(quiz, 6))
    assert (result.score, result.total, result.percent, result.passed) == (6, 8, 75.0, False)
    assert "6/8 = 75% — the lesson needs more than 75%: 7 of 8" in render_quiz_text(quiz, result)
    assert "Not passed" in render_quiz_text(quiz, result)


def test_seven_of_eight_passes(quiz: Quiz) -> None:
    result = score_quiz(quiz, answers_with(quiz, 7))
    assert (result.score, result.percent, result.passed) == (7, 87.5, True)
    assert render_quiz_text(quiz, result).splitlines()[1].startswith("Passed: 7/8 = 87.5%")


def test_an_unanswered_question_counts_as_wrong(quiz: Quiz) -> None:
    answers = correct(quiz)
    del answers["q3"]
    answers["q5"] = None
    result = score_quiz(quiz, answers)
    assert result.score == 6 and not result.passed
    unanswered = {q.id: q for q in result.questions if q.answer is None}
    assert set(unanswered) == {"q3", "q5"} and not any(q.correct for q in unanswered.values())
    assert "q3 (unanswered)" in render_quiz_text(quiz, result)


def test_each_wrong_answer_names_what_to_reread_and_redo(quiz: Quiz) -> None:
    answers = correct(quiz)
    answers["q8"] = wrong(quiz, "q8")
    text = render_quiz_text(quiz, score_quiz(quiz, answers))
    question = quiz.question("q8")
    assert f'q8 (you chose {answers["q8"]}): reread the lesson section "{question.reread}"' in text
    assert f"redo exercise {question.exercise}" in text
    assert "q1 (" not in text


def test_json_has_exactly_the_documented_shape(quiz: Quiz) -> None:
    answers = answers_with(quiz, 7)
    answers["q8"] = None
    data = score_quiz(quiz, answers).to_dict()
    assert list(data) == ["schema_version", "score", "total", "percent", "passed", "pass_above", "questions"]
    assert data["schema_version"] == 1 and data["pass_above"] == 0.75
    assert (data["score"], data["total"], data["percent"], data["passed"]) == (7, 8, 87.5, True)
    assert isinstance(data["percent"], float)
    assert [list(q) for q in data["questions"]] == [["id", "answer", "correct"]] * 8
    assert data["questions"][7] == {"id": "q8", "answer": None, "correct": False}
    assert data["questions"][0] == {"id": "q1", "answer": answers["q1"], "correct": True}


# Scoring an answers file from the command line


@pytest.mark.parametrize(("right", "code"), [(7, 0), (6, 1)])
def test_answers_file_exit_code_follows_the_pass_rule(quiz: Quiz, tmp_path: Path, right: int, code: int) -> None:
    path = write_yaml(tmp_path / "answers.yaml", answers_with(quiz, right))
    result = CliRunner().invoke(quiz_command, ["--answers", str(path), "--format", "json"])
    assert result.exit_code == code
    data = json.loads(result.stdout)
    assert data["score"] == right and data["passed"] is (code == 0)


def test_answers_are_case_insensitive_and_may_be_blank(quiz: Quiz, tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(f"q1: {correct(quiz)['q1'].upper()}\nq2:\n")
    answers = load_answers(path, quiz)
    assert answers["q1"] == correct(quiz)["q1"] and answers["q2"] is None and answers["q8"] is None


def test_text_output_of_an_answers_file(quiz: Quiz, tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "answers.yaml", answers_with(quiz, 6))
    result = CliRunner().invoke(quiz_command, ["--answers", str(path)])
    assert result.exit_code == 1
    assert "6/8 = 75% — the lesson needs more than 75%: 7 of 8" in result.stdout


@pytest.mark.parametrize(
    ("content", "names"),
    [
        ("q1: [b\n", ["not valid YAML", "q1: b"]),
        ("- b\n- c\n", ["expected a mapping", "q1: b", "got a list"]),
        ("q1: b\nq9: c\n", ["unknown question 'q9'", "q1, q2, q3, q4, q5, q6, q7, q8"]),
        ("q1: b\nq2: e\n", ["question q2", "'e' is not a choice", "allowed: a, b, c, d"]),
    ],
    ids=["invalid-yaml", "not-a-mapping", "unknown-question", "unknown-choice"],
)
def test_a_bad_answers_file_exits_2_with_one_line(tmp_path: Path, content: str, names: list[str]) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text(content)
    result = CliRunner().invoke(quiz_command, ["--answers", str(path), "--format", "json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert str(path) in result.stderr
    for name in names:
        assert name in result.stderr


def test_a_missing_answers_file_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(quiz_command, ["--answers", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {tmp_path / 'nope.yaml'}: no such file\n"  # the path given, once


def test_quiz_command_registers_on_a_group(quiz: Quiz, tmp_path: Path) -> None:
    main = click.Group("grade")
    main.add_command(quiz_command)
    path = write_yaml(tmp_path / "answers.yaml", correct(quiz))
    result = CliRunner().invoke(main, ["quiz", "--answers", str(path)])
    assert result.exit_code == 0 and "Passed: 8/8 = 100%" in result.stdout
