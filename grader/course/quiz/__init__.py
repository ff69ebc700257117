"""The mastery quiz: questions in YAML with a hashed key, taken in the terminal or scored from a file."""
from grader.course.quiz.answers import ANSWERS_FILE, load_answers, save_answers
from grader.course.quiz.render import render_quiz_text
from grader.course.quiz.schema import Choice, Question, Quiz, load_quiz
from grader.course.quiz.scoring import score_quiz
from grader.core.model import QuestionResult, QuizResult

__all__ = [
    "ANSWERS_FILE",
    "Choice",
    "Question",
    "QuestionResult",
    "Quiz",
    "QuizResult",
    "load_answers",
    "load_quiz",
    "render_quiz_text",
    "save_answers",
    "score_quiz",
]
