"""The quiz as the web page takes it: the answers given so far, checked and saved one at a time.

The answers are saved by the terminal quiz's own writer (``save_answers``, with the lesson header), so
``grade``, ``grade list``, progress and batch read a quiz taken on the page like one taken in a terminal.
Every page is drawn from one ``revision`` of the state; an answer posted from an older page (a second
tab, a page from before a retake) is refused, never recorded over the newer state.
"""
from __future__ import annotations

import threading
from pathlib import Path

from grader.core.errors import GradeError, UsageError
from grader.course.quiz.answers import load_answers, save_answers
from grader.course.quiz.schema import Question, Quiz
from grader.course.quiz.scoring import score_quiz
from grader.core.model import QuizResult


class Refusal(Exception):
    """A request the quiz cannot take: an HTTP status and one sentence saying why and what to do."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class NoChoice(Refusal):
    """The Answer button was pressed with no choice selected: the question is asked again."""

    def __init__(self, question: Question) -> None:
        super().__init__(400, "Choose one of the answers, then press Answer.")
        self.question = question


class WebQuiz:
    """One learner's quiz on the page. Every method is safe to call from several request threads."""

    def __init__(self, quiz: Quiz, save: Path, lesson: str | None = None, retake: bool = False,
                 shown: str | None = None) -> None:
        if not save.parent.is_dir():
            raise UsageError(f"{save}: cannot save answers there: no folder {save.parent}")
        self.quiz = quiz
        self.save = save
        self.lesson = lesson
        self.shown = shown or str(save)  # the answers file as the learner knows it
        kept = load_answers(save, quiz) if save.exists() and not retake else dict.fromkeys(quiz.ids)
        self.answers: dict[str, str | None] = kept
        self.resumed = tuple(qid for qid in quiz.ids if kept[qid] is not None)
        self.retaking = retake and save.exists()  # the saved answers stay until the first new answer replaces them
        self.revision = 0
        self.lock = threading.Lock()

    @property
    def current(self) -> Question | None:
        """The first unanswered question, asked next; None once every question is answered."""
        return next((q for q in self.quiz.questions if self.answers[q.id] is None), None)

    @property
    def answered(self) -> tuple[str, ...]:
        return tuple(qid for qid in self.quiz.ids if self.answers[qid] is not None)

    def result(self) -> QuizResult:
        return score_quiz(self.quiz, self.answers)

    def snapshot(self) -> dict[str, str | None]:
        with self.lock:
            return dict(self.answers)

    def answer(self, question_id: str, choice_id: str, revision: int) -> None:
        """Record and save one answer, given on the page drawn at ``revision``."""
        with self.lock:
            if question_id not in self.quiz.ids:
                raise Refusal(400, f"There is no question {question_id!r} in this quiz; it has "
                                   f"{', '.join(self.quiz.ids)}. Nothing was recorded.")
            question = self.quiz.question(question_id)
            choice = choice_id.strip().lower()
            if not choice:
                raise NoChoice(question)
            if choice not in question.choice_ids:
                raise Refusal(400, f"Question {question_id}: {choice_id!r} is not a choice; allowed: "
                                   f"{', '.join(question.choice_ids)}. Nothing was recorded.")
            given = self.answers[question_id]
            if given == choice:  # the same answer twice (a double click, a second tab): recorded once
                return
            if given is not None:
                raise Refusal(409, f"Question {question_id} is already answered (you chose {given}), perhaps in "
                                   f"another tab or window; this answer ({choice}) was not recorded.")
            current = self.current
            if revision != self.revision or current is None or current.id != question_id:
                raise Refusal(409, "This page is out of date: the quiz changed in another tab or window since it "
                                   "was shown. Your answer was not recorded.")
            self.answers[question_id] = choice
            try:
                save_answers(self.save, self.quiz, self.answers, self.lesson)
            except GradeError:
                self.answers[question_id] = None
                raise
            self.retaking = False
            self.revision += 1

    def restart(self, revision: int) -> None:
        """Take the quiz again from the first question, as ``grade quiz --retake`` does: the saved answers
        stay in the file until the first new answer replaces them."""
        with self.lock:
            if revision != self.revision:
                raise Refusal(409, "This page is out of date: the quiz changed in another tab or window since it "
                                   "was shown. Nothing was changed.")
            if not self.answered:
                return
            self.answers = dict.fromkeys(self.quiz.ids)
            self.resumed = ()
            self.retaking = self.save.exists()
            self.revision += 1
