"""The one place where the project's errors become click's: every command and group of ``grade``
is a ``GradeCommand`` or ``GradeGroup``, whose ``invoke`` converts a ``GradeError`` (one line on
stderr, its exit code) so the core never needs click."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, TYPE_CHECKING

import click

from grader.course.course import Course
from grader.core.errors import GradeError, Interrupted, UsageError, caused_by_ctrl_c
from grader.course.lesson import Lesson
from grader.course.project import StudentProject

if TYPE_CHECKING:  # the gate's types only: the engine loads when a command needs it
    from grader.engine.doctor import Diagnosis
    from grader.sandbox.runner import Limits


def shown_path(path: Path) -> str:
    """A path as the user sees it from here: relative when it is here or below, else as it is."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


class CommandFailed(click.ClickException):
    """A GradeError, as click shows it: the message alone on stderr, the error's exit code."""

    def __init__(self, error: GradeError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code

    def format_message(self) -> str:
        return self.message


@contextmanager
def converted() -> Iterator[None]:
    try:
        yield
    except GradeError as error:
        raise CommandFailed(error) from None
    except KeyboardInterrupt:  # click would say "Aborted!" and exit 1, as if graded
        raise CommandFailed(Interrupted()) from None
    except Exception as error:
        if caused_by_ctrl_c(error):  # Ctrl-C that Python wrapped (e.g. during a lazy import)
            raise CommandFailed(Interrupted()) from None
        raise


class GradeCommand(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        with converted():
            return super().invoke(ctx)


# `grade --help` lists the commands by who runs them; a command in no section is listed under "Other".
HELP_SECTIONS = (
    ("Student commands", ("check", "watch", "hint", "list", "quiz", "reset", "restore", "lessons")),
    ("Instructor commands", ("batch", "merge", "doctor", "quiz-key")),
    ("Course author commands", ("validate", "release", "new-lesson")),
)
HELP_WIDTH = 500  # a command's whole first sentence, never cut with "..."


def first_sentence(command: click.Command) -> str:
    text = command.get_short_help_str(limit=HELP_WIDTH)
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


class GradeGroup(click.Group):
    command_class = GradeCommand
    group_class = type  # subgroups are GradeGroups too

    def invoke(self, ctx: click.Context) -> Any:
        with converted():
            return super().invoke(ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = {name: self.get_command(ctx, name) for name in self.list_commands(ctx)}
        commands = {name: command for name, command in commands.items() if command is not None and not command.hidden}
        placed = {name for _, names in HELP_SECTIONS for name in names}
        sections = [(title, [n for n in names if n in commands]) for title, names in HELP_SECTIONS]
        sections.append(("Other commands" if placed & set(commands) else "Commands",
                         [n for n in commands if n not in placed]))
        for title, names in sections:
            if names:
                with formatter.section(title):
                    formatter.write_dl([(name, first_sentence(commands[name])) for name in names])


@dataclass(frozen=True)
class Selection:
    """What the group's --course and --lesson chose, for every subcommand."""

    course_root: Path | None = None
    lesson: str | None = None

    @property
    def course(self) -> Course:
        return Course.at(self.course_root)

    def lesson_or_sole(self) -> Lesson:
        """The --lesson chosen, else the course's only lesson (exit 2 when it has several)."""
        return self.course.lesson(self.lesson)

    def lessons(self) -> tuple[Lesson, ...]:
        """The --lesson chosen, else every lesson of the course."""
        return (self.course.lesson(self.lesson),) if self.lesson else self.course.lessons()

    def projects(self, start: Path, command: str = "grade", advice: str = "") -> list[StudentProject]:
        """Each chosen lesson whose exercise file is in the student's project around ``start``: the nearest
        folder at or above it holding a lesson's exercise file (a course's own exercises/ further up are not
        the project of a student working in a folder of the course)."""
        lessons = self.lessons()
        found = [p for p in (StudentProject.find(start, lesson) for lesson in lessons) if p is not None]
        nearest = max((len(project.root.parts) for project in found), default=0)
        present = [project for project in found if len(project.root.parts) == nearest]
        if not present:
            names = ", ".join(f"exercises/{lesson.student_file}" for lesson in lessons)
            where = f"no {names}" if len(lessons) == 1 else f"none of {names}"
            raise UsageError(f"{where} in {start} or above: run {command} inside the project{advice}")
        return present

    def project(self, lesson: Lesson, command: str) -> StudentProject:
        """The student's project of ``lesson`` around the current directory (exit 2 outside one)."""
        found = StudentProject.find(Path.cwd(), lesson)
        if found is None:
            raise UsageError(f"no exercises/{lesson.student_file} in {Path.cwd()} or above: run {command} inside the "
                             "project")
        return found

    def command(self, lesson: Lesson | str | None = None) -> str:
        """``grade`` as typed here to act on this course and ``lesson`` (see ``Course.command``)."""
        return self.course.command(lesson.name if isinstance(lesson, Lesson) else lesson)

    def for_path(self, path: Path) -> Lesson:
        """The --lesson chosen, the course's only lesson, or the one PATH's file name says."""
        course = self.course
        if self.lesson is not None or len(course.names()) == 1:
            return self.lesson_or_sole()
        if path.is_dir():
            matches = [course.lesson(n) for n in course.names()
                       if any((folder / f"{n}{suffix}").is_file()
                              for folder in (path, path / "exercises") for suffix in (".py", ".ipynb"))]
        else:
            matches = [m for m in (course.for_file(path),) if m is not None]
        if len(matches) != 1:
            found = "holds several lessons' files" if matches else "is named after no lesson"
            raise UsageError(f"{path}: {found} ({', '.join(course.names())}); choose the lesson with "
                             f"{course.command()} --lesson NAME ...")
        return matches[0]


def selection(ctx: click.Context | None = None) -> Selection:
    ctx = ctx or click.get_current_context()
    found = ctx.find_object(Selection)
    return found if found is not None else Selection()


def require_confinement(command: str, limits: Limits, unconfined: bool) -> Diagnosis:
    """The confinement gate of grader.engine.credit, with its warning shown on stderr when grading goes on
    unconfined (the engine returns the warning; the command line prints it)."""
    from grader.engine.credit import require_confinement as gate, unconfined_warning

    diagnosis = gate(command, limits, unconfined)
    if not diagnosis.complete:
        click.echo(unconfined_warning(command, diagnosis), err=True)
    return diagnosis
