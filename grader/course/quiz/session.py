"""Taking the quiz one question at a time from a text stream: a terminal or piped lines."""
from __future__ import annotations

from typing import Callable, TextIO

from grader.course.quiz.render import render_feedback, render_question
from grader.course.quiz.schema import Question, Quiz


def take_quiz(
    quiz: Quiz,
    answers: dict[str, str | None],
    stdin: TextIO,
    write: Callable[[str], None],
    save: Callable[[dict[str, str | None]], None],
) -> bool:
    """Ask every unanswered question in order, recording and saving each answer as it comes.

    Returns False when the input ends first. KeyboardInterrupt propagates; answers given so far
    are already saved.
    """
    for number, question in enumerate(quiz.questions, 1):
        if answers.get(question.id) is not None:
            continue
        write(render_question(question, number, len(quiz.questions)))
        choice = _ask(question, stdin, write)
        if choice is None:
            return False
        answers[question.id] = choice
        save(answers)
        write(render_feedback(question, choice))
    return True


def _ask(question: Question, stdin: TextIO, write: Callable[[str], None]) -> str | None:
    """One valid choice id (case-insensitive), asking again after an invalid one; None at end of input."""
    echo = not stdin.isatty()  # piped answers are not echoed by a terminal: show them in the transcript
    while True:
        write(f"Your answer ({'/'.join(question.choice_ids)}): ")
        line = stdin.readline()
        if not line:
            write("\n")
            return None
        entry = line.strip()
        if echo:
            write(entry + "\n")
        if entry.lower() in question.choice_ids:
            return entry.lower()
        write(f"{entry!r} is not a choice: type one of {', '.join(question.choice_ids)}.\n")
