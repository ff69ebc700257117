"""Errors that end a command with exit code 2 and one clear line on stderr."""
from __future__ import annotations

import click


class UsageError(click.ClickException):
    """The command could not do its job: bad usage, or a missing or malformed file."""

    exit_code = 2

    def format_message(self) -> str:
        return self.message
