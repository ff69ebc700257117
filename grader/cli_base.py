"""The one place where the project's errors become click's: every command and group of ``grade``
is a ``GradeCommand`` or ``GradeGroup``, whose ``invoke`` converts a ``GradeError`` (one line on
stderr, its exit code) so the core never needs click."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

import click

from grader.errors import GradeError


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


class GradeCommand(click.Command):
    def invoke(self, ctx: click.Context) -> Any:
        with converted():
            return super().invoke(ctx)


class GradeGroup(click.Group):
    command_class = GradeCommand
    group_class = type  # subgroups are GradeGroups too

    def invoke(self, ctx: click.Context) -> Any:
        with converted():
            return super().invoke(ctx)
