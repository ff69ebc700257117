"""`grade quiz`: take the quiz, or score an answers file (the instructor's `grade quiz-key` is in cli.quiz_key)."""
from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from grader.cli.base import GradeCommand, selection, shown_path
from grader.cli.options import FILE, format_option, quiz_option

from grader.core.errors import UsageError
from grader.course.quiz.answers import ANSWERS_FILE, load_answers, save_answers
from grader.course.quiz.render import render_intro, render_quiz_text
from grader.course.quiz.schema import Quiz, load_quiz
from grader.course.quiz.scoring import score_quiz
from grader.course.quiz.session import take_quiz
from grader.course.project import StudentProject
from grader.course.lesson import Lesson


def _quiz_file(given: Path | None) -> Path:
    return given if given is not None else selection().lesson_or_sole().quiz_path


def _load(given: Path | None) -> Quiz:
    """The quiz of --quiz FILE, else the lesson's (its pass threshold checked against lesson.yaml)."""
    return load_quiz(given) if given is not None else selection().lesson_or_sole().load_quiz()


@click.command("quiz", cls=GradeCommand)
@click.option("--answers", "answers_file", type=FILE, help="Score this file of answers (`q1: b`) instead of asking.")
@format_option(["text", "json"], "text", "For --answers.", show_default=False)
@click.option("--save", type=FILE, help=f"Where your answers are kept [default: {ANSWERS_FILE} in the project].")
@click.option("--retake", is_flag=True,
              help="Take the quiz again from the first question (your saved answers are replaced as you answer).")
@quiz_option
@click.option("--web", is_flag=True, help="Take the quiz on a page in your browser, served on this computer only.")
@click.option("--port", type=click.IntRange(0, 65535), default=None, show_default="a free port",
              help="With --web: the port to serve the page on (127.0.0.1 only).")
@click.option("--no-browser", is_flag=True, help="With --web: print the page's address, do not open a browser.")
@click.pass_context
def quiz_command(
    ctx: click.Context, answers_file: Path | None, output_format: str, save: Path | None, retake: bool,
    quiz_file: Path | None, web: bool, port: int | None, no_browser: bool
) -> None:
    """Take the lesson's mastery quiz, one question at a time, or score an answers file.

    Answers can be piped on stdin, one choice id per line. Stopping early keeps the answers given
    so far; running the same command again resumes. With --web the quiz is a page in your browser,
    saved to the same file. Exit status: 0 passed, 1 not passed or not finished, 2 a bad file,
    130 interrupted with Ctrl-C (the way to stop --web).
    """
    if not web and (port is not None or no_browser):
        raise UsageError(f"{'--port' if port is not None else '--no-browser'} goes with --web: grade quiz --web")
    if web and answers_file is not None:
        raise UsageError("--web is for taking the quiz; --answers FILE only scores a file")
    quiz = _load(quiz_file)
    if web:
        default_save = default_answers_path()
        save = save or default_save
        lesson = selection().lesson_or_sole().name if quiz_file is None else None
        ctx.exit(_take_on_the_web(quiz, save, lesson, retake, port or 0, not no_browser,
                                  _resume_command(save, default_save, quiz_file) + " --web"))
    if answers_file is None:
        if output_format == "json":
            raise UsageError("--format json needs --answers FILE: the quiz you take answers in text")
        default_save = default_answers_path()
        save = save or default_save
        lesson = selection().lesson_or_sole().name if quiz_file is None else None
        ctx.exit(_take(quiz, save, _resume_command(save, default_save, quiz_file),
                       _resume_command(save, default_save, quiz_file, retake=True), retake, lesson))
    if retake:
        raise UsageError("--retake is for taking the quiz; --answers FILE only scores a file")
    result = score_quiz(quiz, load_answers(answers_file, quiz))
    if output_format == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(render_quiz_text(quiz, result), nl=False)
    ctx.exit(0 if result.passed else 1)


def _take(quiz: Quiz, save: Path, resume: str, retake_command: str, retake: bool = False,
          lesson: str | None = None) -> int:
    def write(text: str) -> None:
        click.echo(text, nl=False)

    if not save.parent.is_dir():
        raise UsageError(f"{save}: cannot save answers there: no folder {save.parent}")
    answers = load_answers(save, quiz) if save.exists() and not retake else dict.fromkeys(quiz.ids)
    done = [qid for qid in quiz.ids if answers[qid] is not None]
    if len(done) == len(quiz.ids):  # nothing left to ask: the result, and how to start again
        result = score_quiz(quiz, answers)
        write(render_quiz_text(quiz, result))
        write(f"You have answered every question (your answers are in {save}). To take the quiz again: "
              f"{retake_command}\n")
        return 0 if result.passed else 1
    if retake and save.exists():
        write(f"Retaking the quiz from the first question: your answers in {save} are replaced as you answer.\n")
    write(render_intro(quiz, str(save)))
    if done:
        write(f"Resuming from {save}: {len(done)} of {len(quiz.ids)} already answered ({', '.join(done)}), skipped.\n")
    try:
        finished = take_quiz(quiz, answers, sys.stdin, write, lambda given: save_answers(save, quiz, given, lesson))
    except KeyboardInterrupt:
        write("\n" + _stopped(quiz, answers, save, resume))
        return 130
    if not finished:
        write(_stopped(quiz, answers, save, resume))
        return 1
    result = score_quiz(quiz, answers)
    write("\n" + render_quiz_text(quiz, result))
    write(f"Your answers are in {save}; to take the quiz again: {retake_command}\n")
    return 0 if result.passed else 1


def _take_on_the_web(quiz: Quiz, save: Path, lesson: str | None, retake: bool, port: int, browse: bool,
                     resume: str) -> int:
    from grader.webquiz.server import serve_quiz  # the HTTP server loads only for --web
    from grader.webquiz.state import WebQuiz

    def write(text: str) -> None:
        click.echo(text, nl=False)

    def stopped(answers: dict[str, str | None]) -> str:
        if all(answers[qid] is not None for qid in quiz.ids):
            return f"Stopped the quiz page. Every question is answered; your answers are in {shown_path(save)}.\n"
        return _stopped(quiz, answers, save, resume)

    return serve_quiz(WebQuiz(quiz, save, lesson, retake, shown_path(save)), port, browse, write, stopped)


def default_answers_path(lesson: Lesson | None = None) -> Path:
    """The answers file `grade` grades for the lesson (default: the one chosen) in the project the student is
    in (here, outside one)."""
    lesson = lesson or selection().lesson_or_sole()
    project = StudentProject.find(Path.cwd(), lesson) or StudentProject(Path.cwd(), lesson)
    return project.answers_path()


def _resume_command(save: Path, default_save: Path, quiz_file: Path | None, retake: bool = False) -> str:
    chosen = selection()
    lesson = chosen.lesson if quiz_file is not None else chosen.lesson_or_sole().name
    words = shlex.split(chosen.command(lesson)) + ["quiz"] + (["--retake"] if retake else [])
    if save != default_save:
        words += ["--save", str(save)]
    if quiz_file is not None:
        words += ["--quiz", str(quiz_file)]
    return shlex.join(words)


def _stopped(quiz: Quiz, answers: dict[str, str | None], save: Path, resume: str) -> str:
    given = sum(a is not None for a in answers.values())
    if not given:
        return f"Stopped before the first answer; nothing was saved. Run `{resume}` to start.\n"
    return (
        f"Stopped with {given} of {len(quiz.ids)} questions answered. Your answers are saved in {save}; "
        f"run `{resume}` to continue: the questions you answered are skipped.\n"
    )
