"""Plain-text rendering of questions, feedback and the end-of-quiz result."""
from __future__ import annotations

import re
import textwrap

from grader.core.formatting import percent
from grader.course.quiz.schema import Question, Quiz
from grader.core.model import QuizResult

WIDTH = 80


def verdict(result: QuizResult) -> str:
    return "Passed" if result.passed else "Not passed"


def score_sentence(quiz: Quiz, result: QuizResult) -> str:
    """The score with the rule: 'Not passed: 6/8 = 75% — the lesson needs more than 75%: 7 of 8.' (the
    terminal quiz and the web page say the same)."""
    return (f"{verdict(result)}: {result.score}/{result.total} = {percent(result.percent)}% — the lesson needs "
            f"more than {percent(100 * quiz.pass_above)}%: {quiz.needed} of {result.total}.")


def render_quiz_text(quiz: Quiz, result: QuizResult) -> str:
    lines = [f"Mastery quiz: {quiz.title}", score_sentence(quiz, result)]
    missed = [q for q in result.questions if not q.correct]
    if missed:
        lines += ["", "To review:"]
    for answered in missed:
        question = quiz.question(answered.id)
        given = f"you chose {answered.answer}" if answered.answer else "unanswered"
        lines.append(
            f"  {question.id} ({given}): reread the lesson section \"{question.reread}\";"
            f" redo exercise {question.exercise}."
        )
    return "\n".join(lines) + "\n"


def pass_rule(quiz: Quiz) -> str:
    """What passes the quiz, as the terminal and the web page both say it: "more than 75% correct (7 of 8)"."""
    return f"more than {percent(100 * quiz.pass_above)}% correct ({quiz.needed} of {len(quiz.questions)})"


def render_intro(quiz: Quiz, save_name: str) -> str:
    return (
        f"Mastery quiz: {quiz.title}\n"
        f"{len(quiz.questions)} questions; {pass_rule(quiz)} "
        f"passes.\nType a choice id and press Enter. Answers are saved to {save_name} as you go.\n"
    )


def render_question(question: Question, number: int, total: int) -> str:
    lines = ["", f"Question {number} of {total} ({question.id})", textwrap.fill(question.prompt, WIDTH)]
    for choice in question.choices:
        lines.append(textwrap.fill(choice.text, WIDTH, initial_indent=f"  {choice.id}) ", subsequent_indent="     "))
    return "\n".join(lines) + "\n"


# A verdict an author may start an explanation with: the quiz says its own (Right. / Wrong.) before it.
_LEADING_VERDICT = re.compile(r"(?:right|correct|wrong|incorrect|not quite|exactly|yes|no)\s*[.!]+\s*", re.IGNORECASE)


def explained(text: str) -> str:
    """An explanation as the quiz shows it after its own verdict: without a verdict it starts with, so the
    terminal and the web page never say "Right. Right." nor "Wrong. Not quite."."""
    rest = _LEADING_VERDICT.sub("", text.lstrip(), count=1) if _LEADING_VERDICT.match(text.lstrip()) else text
    return rest or text  # an explanation that is only a verdict stays as it is


def render_feedback(question: Question, choice_id: str) -> str:
    if question.is_correct(choice_id):
        return textwrap.fill(f"Right. {explained(question.choice(choice_id).explanation)}", WIDTH) + "\n"
    answer = question.answer
    return (
        textwrap.fill(f"Wrong. {explained(question.choice(choice_id).explanation)}", WIDTH)
        + "\n"
        + textwrap.fill(f"The answer is {answer.id}: {explained(answer.explanation)}", WIDTH)
        + "\n"
    )


