"""The instructor's key command: show the key, change it, and keep the file readable."""
from __future__ import annotations

import shutil
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from grader.core.errors import UsageError
from grader.course.course import load_lesson
from grader.course.quiz import load_quiz
from grader.cli.quiz_key import quiz_key_command


@pytest.fixture
def quiz_file(tmp_path: Path) -> Path:
    return Path(shutil.copy(load_lesson().quiz_path, tmp_path / "quiz.yaml"))


def invoke(*args: str):
    main = click.Group("grade")
    main.add_command(quiz_key_command)
    return CliRunner().invoke(main, ["quiz-key", *args])


def test_show_prints_the_key(quiz_file: Path) -> None:
    result = invoke("show", "--quiz", str(quiz_file))
    assert result.exit_code == 0
    quiz = load_quiz(quiz_file)
    shown = [line.split()[:2] for line in result.stdout.splitlines()]
    assert shown == [[f"{q.id}:", q.answer.id] for q in quiz.questions]


def test_set_changes_one_answer_with_a_fresh_salt_and_round_trips(quiz_file: Path) -> None:
    before_text = quiz_file.read_text()
    before = load_quiz(quiz_file)
    original = before.question("q3").answer.id
    other = next(c for c in before.question("q3").choice_ids if c != original)

    result = invoke("set", "q3", other.upper(), "--quiz", str(quiz_file))
    assert result.exit_code == 0, result.output
    after = load_quiz(quiz_file)
    assert after.question("q3").answer.id == other
    assert after.question("q3").salt != before.question("q3").salt
    assert [q.answer.id for q in after.questions if q.id != "q3"] == [
        q.answer.id for q in before.questions if q.id != "q3"
    ]
    changed = set(before_text.splitlines()) ^ set(quiz_file.read_text().splitlines())
    assert all(line.strip().startswith(("salt:", "key:")) for line in changed) and len(changed) == 4
    assert quiz_file.read_text().startswith("# Mastery quiz")

    assert invoke("set", "q3", original, "--quiz", str(quiz_file)).exit_code == 0
    assert load_quiz(quiz_file).question("q3").answer.id == original


def test_set_keys_a_new_question(quiz_file: Path) -> None:
    raw = yaml.safe_load(quiz_file.read_text())
    del raw["questions"][0]["key"], raw["questions"][0]["salt"]
    quiz_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    refused = invoke("show", "--quiz", str(quiz_file))
    assert refused.exit_code == 2 and "question q1: no correct choice" in refused.stderr
    assert "grade quiz-key set q1 CHOICE" in refused.stderr

    assert invoke("set", "q1", "d", "--quiz", str(quiz_file)).exit_code == 0
    assert load_quiz(quiz_file).question("q1").answer.id == "d"


@pytest.mark.parametrize(
    ("args", "message"),
    [(("q9", "a"), "no question 'q9'"), (("q1", "e"), "question q1: no choice 'e'; allowed: a, b, c, d")],
)
def test_set_refuses_an_unknown_question_or_choice(quiz_file: Path, args: tuple[str, str], message: str) -> None:
    before = quiz_file.read_text()
    result = invoke("set", *args, "--quiz", str(quiz_file))
    assert result.exit_code == 2 and message in result.stderr
    assert quiz_file.read_text() == before


def test_set_keys_several_questions_at_once_in_one_rewrite(quiz_file: Path) -> None:
    """A new quiz is keyed in one command (`set q1=a q2=c ...`), not one command a question."""
    before = load_quiz(quiz_file)
    chosen = {q.id: next(c for c in q.choice_ids if c != q.answer.id) for q in before.questions[:3]}
    result = invoke("set", *(f"{q}={c.upper()}" for q, c in chosen.items()), "--quiz", str(quiz_file))
    assert result.exit_code == 0, result.output
    after = load_quiz(quiz_file)
    assert {q: after.question(q).answer.id for q in chosen} == chosen
    assert [q.answer.id for q in after.questions[3:]] == [q.answer.id for q in before.questions[3:]]
    assert len(result.stdout.splitlines()) == 3


@pytest.mark.parametrize("answers, message", [
    (["q1=a", "q99=b"], "no question 'q99'"),
    (["q1=a", "q2=z"], "question q2: no choice 'z'"),
    (["q1=a", "q2"], "'q2': give QUESTION_ID=CHOICE_ID"),
    (["q1=a", "q1=b"], "question q1 is given twice"),
])
def test_one_bad_answer_changes_nothing_and_says_which(quiz_file: Path, answers: list[str], message: str) -> None:
    before = quiz_file.read_bytes()
    result = invoke("set", *answers, "--quiz", str(quiz_file))
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert quiz_file.read_bytes() == before


def test_a_question_copied_with_its_id_is_said_to_appear_twice_not_to_have_no_key(quiz_file: Path) -> None:
    """An author who copies a question and forgets to change its id: the copy's key is sealed to its old id and
    position, and the quiz said "question q7: no correct choice ... (set one with: grade quiz-key set q7 CHOICE)",
    which then keyed the first q7 only and failed again. Both now name the duplicate and where it is."""
    raw = yaml.safe_load(quiz_file.read_text())
    raw["questions"][7]["id"] = "q7"
    quiz_file.write_text(yaml.safe_dump(raw, sort_keys=False))
    said = f"{quiz_file}: question q7 appears twice (questions 7 and 8): question ids must be unique"
    with pytest.raises(UsageError) as loading:
        load_quiz(quiz_file)
    assert loading.value.message == said
    before = quiz_file.read_text()
    result = invoke("set", "q7", "a", "--quiz", str(quiz_file))
    assert result.exit_code == 2 and said in result.output and quiz_file.read_text() == before
    assert invoke("set", "q1", "a", "--quiz", str(quiz_file)).exit_code == 0  # the other questions can be keyed
