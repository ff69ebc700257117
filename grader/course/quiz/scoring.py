"""Score a quiz: correct / total, passed only when strictly above the quiz's pass_above."""
from __future__ import annotations

from typing import Mapping

from grader.core.model import QuestionResult, QuizResult
from grader.course.quiz.schema import Quiz


def score_quiz(quiz: Quiz, answers: Mapping[str, str | None]) -> QuizResult:
    """Every question of the quiz is scored; one missing from answers counts as wrong."""
    questions = tuple(
        QuestionResult(q.id, answers.get(q.id), q.is_correct(answers.get(q.id))) for q in quiz.questions
    )
    score = sum(q.correct for q in questions)
    total = len(questions)
    return QuizResult(score, total, 100 * score / total, score / total > quiz.pass_above, quiz.pass_above, questions)
