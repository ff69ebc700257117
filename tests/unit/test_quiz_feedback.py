"""A quiz explanation that starts with its own verdict ("Right. ...", "Not quite. ...") is shown once after the
quiz's verdict, on the terminal and on the web page: never "Right. Right."."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.course.quiz.render import explained, render_feedback
from grader.course.quiz.schema import load_quiz
from grader.webquiz.page import feedback

FIXTURE_QUIZ = Path(__file__).resolve().parents[1] / "fixture_course" / "quizzes" / "tiny_stats.yaml"


@pytest.fixture
def question(tmp_path):
    text = FIXTURE_QUIZ.read_text().replace("explanation: Right by definition.", "explanation: Right. By definition.")
    text = text.replace("explanation: Not what the definition gives.",
                        "explanation: Not quite. That is not what the definition gives.")
    (tmp_path / "quiz.yaml").write_text(text)
    return load_quiz(tmp_path / "quiz.yaml").questions[0]  # a is right, b is wrong


def test_the_terminal_says_the_verdict_once(question):
    right = render_feedback(question, "a")
    assert right.startswith("Right. By definition.") and right.count("Right") == 1
    wrong = render_feedback(question, "b")
    assert wrong.startswith("Wrong. That is not what the definition gives.") and "Not quite" not in wrong
    assert "The answer is a: By definition." in wrong


def test_the_web_page_says_the_verdict_once(question):
    right = feedback(question, "a")
    assert right.count("Right.") == 1 and "<p>By definition.</p>" in right
    wrong = feedback(question, "b")
    assert "Not quite" not in wrong and "<p>That is not what the definition gives.</p>" in wrong
    assert "<p>By definition.</p>" in wrong  # the right answer's explanation, without its verdict


def test_only_a_leading_verdict_sentence_is_dropped():
    assert explained("Right! The max is subtracted.") == "The max is subtracted."
    assert explained("Right by definition.") == "Right by definition."  # prose, not a verdict
    assert explained("No shift is needed here.") == "No shift is needed here."
    assert explained("Rightly so.") == "Rightly so."
    assert explained("Correct.") == "Correct."  # nothing would be left
