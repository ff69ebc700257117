"""The project's own errors. The core raises them; the command line turns them into exit codes.

They carry an exit code and one clear line for stderr. Nothing here imports click: ``grader.cli.app``
converts a ``GradeError`` in one place (``grader.cli.app.converted``).
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


class Interrupted(GradeError):
    """Ctrl-C: the command stops (exit code 130, the shell's for SIGINT)."""

    exit_code = 130

    def __init__(self) -> None:
        super().__init__("interrupted (Ctrl-C)")


def caused_by_ctrl_c(error: BaseException) -> bool:
    """Whether Ctrl-C is behind this exception: a KeyboardInterrupt itself, or one that Python wrapped while it
    was raised inside machinery of its own (Python 3.11 turns it into a RuntimeError when it strikes in a
    class's ``__set_name__`` during an import, as ``platform`` has)."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        pending += [current.__cause__, current.__context__]
    return False
