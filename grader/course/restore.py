"""Putting one exercise's stub back in a student's file (``grade restore NAME``).

The pristine stubs live in the grader, not in the file the student edits: ``grade release`` writes a copy
of each lesson's exercise file, as released, to ``grader/lessons/<lesson>/<student_file>.stub``. The
student's file is read through ``grader.core.submission`` (no links followed) and only the function of that
exercise is replaced; the rest of the file stays as it is.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from grader.core.errors import UsageError
from grader.course.lesson import Lesson
from grader.core.submission import Refused, SubmissionFile


def pristine_stub_path(lesson: Lesson) -> Path | None:
    """Where the released stubs are kept in a student copy; None in the instructor's project."""
    return lesson.released_stub_path


def _function_lines(text: str, name: str, shown: str) -> tuple[int, int] | None:
    """The 1-based first and last lines of the top-level function ``name`` (decorators included)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise UsageError(f"{shown}: line {error.lineno}: {error.msg}; fix it first (restoring one function needs "
                         "a file Python can read)") from None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return first, node.end_lineno or node.lineno
    return None


@dataclass(frozen=True)
class Restoration:
    text: str  # the student's file with the stub in place
    replaced: tuple[int, int] | None  # the lines of the student's file that the stub replaces; None: appended


def restore_function(student_text: str, stub_text: str, name: str, shown: str) -> Restoration:
    stub_lines = stub_text.splitlines(keepends=True)
    found = _function_lines(stub_text, name, "the released stub")
    if found is None:
        raise UsageError(f"the released stub has no function {name}")
    stub_function = "".join(stub_lines[found[0] - 1: found[1]])
    if not stub_function.endswith("\n"):
        stub_function += "\n"
    lines = student_text.splitlines(keepends=True)
    where = _function_lines(student_text, name, shown)
    if where is None:
        separator = "" if not student_text or student_text.endswith("\n") else "\n"
        return Restoration(student_text + separator + "\n\n" + stub_function, None)
    return Restoration("".join(lines[: where[0] - 1]) + stub_function + "".join(lines[where[1]:]), where)


def read_student_file(file: SubmissionFile) -> str:
    try:
        return file.read().decode("utf-8")
    except Refused as refused:
        raise UsageError(str(refused)) from None
    except UnicodeDecodeError:
        raise UsageError(f"{file.path}: not UTF-8 text") from None
