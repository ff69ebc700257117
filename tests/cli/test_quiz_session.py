"""Taking the quiz in the terminal: piped answers, invalid entries, stopping and resuming."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.course.course import load_lesson
from grader.course.quiz import Quiz, load_quiz
from grader.cli.quiz import quiz_command


@pytest.fixture(scope="module")
def quiz() -> Quiz:
    return load_quiz(load_lesson().quiz_path)


@pytest.fixture(autouse=True)
def in_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def key(quiz: Quiz) -> list[str]:
    return [q.answer.id for q in quiz.questions]


def wrong(quiz: Quiz, qid: str) -> str:
    question = quiz.question(qid)
    return next(c.id for c in question.choices if not question.is_correct(c.id))


def lines(*entries: str) -> str:
    return "".join(f"{entry}\n" for entry in entries)


def saved(path: Path = Path("quiz_answers.yaml")) -> dict:
    return yaml.safe_load(path.read_text())


class InterruptedInput(io.BytesIO):
    """Piped input that ends in Ctrl-C instead of end of file."""

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        if not data:
            raise KeyboardInterrupt
        return data


def test_a_piped_run_asks_again_after_an_invalid_entry(quiz: Quiz) -> None:
    first, *rest = key(quiz)
    result = CliRunner().invoke(quiz_command, input=lines("zz", "", first.upper(), *rest))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("'zz' is not a choice: type one of a, b, c, d.") == 1
    assert result.stdout.count("'' is not a choice") == 1
    assert result.stdout.count("Question 1 of 8") == 1
    assert result.stdout.count("Right.") == 8
    assert "Passed: 8/8 = 100%" in result.stdout
    assert saved() == dict(zip(quiz.ids, key(quiz)))


def test_each_answer_gets_its_explanation_and_a_wrong_one_the_right_one(quiz: Quiz) -> None:
    answers = key(quiz)
    answers[1] = wrong(quiz, "q2")
    answers[4] = wrong(quiz, "q5")
    result = CliRunner().invoke(quiz_command, input=lines(*answers))
    q2 = quiz.question("q2")
    assert result.exit_code == 1
    assert result.stdout.count("Wrong.") == 2
    assert q2.choice(answers[1]).explanation.split()[0] in result.stdout
    assert f"The answer is {q2.answer.id}:" in result.stdout
    assert "Not passed: 6/8 = 75% — the lesson needs more than 75%: 7 of 8." in result.stdout
    assert f'reread the lesson section "{q2.reread}"; redo exercise {q2.exercise}' in result.stdout


def test_end_of_input_keeps_the_answers_and_a_rerun_resumes(quiz: Quiz) -> None:
    answers = key(quiz)
    stopped = CliRunner().invoke(quiz_command, input=lines(*answers[:3]))
    assert stopped.exit_code == 1
    assert "Stopped with 3 of 8 questions answered" in stopped.stdout
    assert "run `grade quiz` to continue" in stopped.stdout
    assert saved() == dict(zip(quiz.ids[:3], answers[:3]))

    resumed = CliRunner().invoke(quiz_command, input=lines(*answers[3:]))
    assert resumed.exit_code == 0, resumed.output
    assert "3 of 8 already answered (q1, q2, q3), skipped" in resumed.stdout
    assert "Question 3 of 8" not in resumed.stdout and "Question 4 of 8" in resumed.stdout
    assert "Passed: 8/8" in resumed.stdout
    assert saved() == dict(zip(quiz.ids, answers))


def test_ctrl_c_keeps_the_answers_and_says_how_to_resume(quiz: Quiz) -> None:
    answers = key(quiz)
    result = CliRunner().invoke(
        quiz_command, ["--save", "mine.yaml"], input=InterruptedInput(lines(*answers[:2]).encode())
    )
    assert result.exit_code == 130
    assert "Stopped with 2 of 8 questions answered" in result.stdout
    assert "run `grade quiz --save mine.yaml` to continue" in result.stdout
    assert saved(Path("mine.yaml")) == dict(zip(quiz.ids[:2], answers[:2]))


def test_stopping_before_any_answer_saves_nothing() -> None:
    result = CliRunner().invoke(quiz_command, input="")
    assert result.exit_code == 1
    assert "nothing was saved" in result.stdout
    assert not Path("quiz_answers.yaml").exists()


def test_a_broken_save_file_is_refused_before_asking(in_project: Path) -> None:
    Path("quiz_answers.yaml").write_text("q1: z\n")
    result = CliRunner().invoke(quiz_command, input="a\n")
    assert result.exit_code == 2
    assert "quiz_answers.yaml: question q1: 'z' is not a choice" in result.stderr
    assert "Question 1" not in result.stdout


def test_json_is_only_for_an_answers_file() -> None:
    result = CliRunner().invoke(quiz_command, ["--format", "json"], input="")
    assert result.exit_code == 2 and "--answers" in result.stderr


def test_a_complete_quiz_shows_its_result_without_asking_and_retake_starts_over(quiz: Quiz) -> None:
    answers = key(quiz)
    wrong_first = [wrong(quiz, quiz.ids[0]), *answers[1:]]
    assert CliRunner().invoke(quiz_command, input=lines(*wrong_first)).exit_code == 0  # 7 of 8 passes

    again = CliRunner().invoke(quiz_command, input="")
    assert again.exit_code == 0
    assert "Type a choice id" not in again.stdout and "Question 1 of 8" not in again.stdout
    assert "Passed: 7/8" in again.stdout and "To take the quiz again: grade quiz --retake" in again.stdout

    retaken = CliRunner().invoke(quiz_command, ["--retake"], input=lines(*answers[:2]))
    assert retaken.exit_code == 1  # stopped after two answers
    assert "Retaking the quiz from the first question" in retaken.stdout and "Question 1 of 8" in retaken.stdout
    assert saved() == dict(zip(quiz.ids[:2], answers[:2]))  # the old answers are replaced as the new come
    refused = CliRunner().invoke(quiz_command, ["--retake", "--answers", "quiz_answers.yaml"])
    assert refused.exit_code == 2 and "--retake is for taking the quiz" in refused.stderr
