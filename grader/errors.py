"""The project's own errors. The core raises them; the command line turns them into exit codes.

They carry an exit code and one clear line for stderr. Nothing here imports click: ``grader.cli``
converts a ``GradeError`` in one place (``grader.cli.converted``).
"""
from __future__ import annotations


class GradeError(Exception):
    """A command could not do its job; ``message`` is one line for stderr, ``exit_code`` the status."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(GradeError):
    """The command could not do its job: bad usage, or a missing or malformed file (exit code 2)."""

    exit_code = 2
