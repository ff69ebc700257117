"""Score a quiz: correct / total, passed only when strictly above the quiz's pass_above."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from grader.quiz.schema import Quiz

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class QuestionResult:
    id: str
    answer: str | None  # the choice id given, None when unanswered
    correct: bool


@dataclass(frozen=True)
class QuizResult:
    score: int
    total: int
    percent: float  # 100 * score / total, unrounded: 87.5 for 7 of 8
    passed: bool
    pass_above: float
    questions: tuple[QuestionResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "score": self.score,
            "total": self.total,
            "percent": self.percent,
            "passed": self.passed,
            "pass_above": self.pass_above,
            "questions": [{"id": q.id, "answer": q.answer, "correct": q.correct} for q in self.questions],
        }


def score_quiz(quiz: Quiz, answers: Mapping[str, str | None]) -> QuizResult:
    """Every question of the quiz is scored; one missing from answers counts as wrong."""
    questions = tuple(
        QuestionResult(q.id, answers.get(q.id), q.is_correct(answers.get(q.id))) for q in quiz.questions
    )
    score = sum(q.correct for q in questions)
    total = len(questions)
    return QuizResult(score, total, 100 * score / total, score / total > quiz.pass_above, quiz.pass_above, questions)
