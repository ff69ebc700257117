"""Finding the student's file from what the user typed."""
from __future__ import annotations

from pathlib import Path

from grader.errors import UsageError


def resolve_submission(path: Path, student_file: str) -> Path:
    """PATH is the .py file itself, or a directory with it at its root or under exercises/."""
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    if path.is_file():
        if path.suffix != ".py":
            raise UsageError(f"{path}: not a Python file; give the .py file or the directory holding {student_file}")
        return path
    for candidate in (path / student_file, path / "exercises" / student_file):
        if candidate.is_file():
            return candidate
    raise UsageError(f"{path}: no {student_file} at its root or under exercises/")


def find_project_root(start: Path, student_file: str) -> Path | None:
    """The nearest directory at or above ``start`` holding exercises/<student_file>."""
    for directory in (start, *start.parents):
        if (directory / "exercises" / student_file).is_file():
            return directory
    return None


def find_project_file(start: Path, student_file: str) -> Path:
    """The exercise file of the project that contains ``start`` (for a bare ``grade``)."""
    root = find_project_root(start, student_file)
    if root is not None:
        return root / "exercises" / student_file
    raise UsageError(
        f"no exercises/{student_file} in {start} or above: run grade inside the project, or use grade check PATH"
    )
