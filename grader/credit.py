"""The gate in front of every command whose grades count: full confinement, or an explicit --unconfined."""
from __future__ import annotations

import click

from grader.doctor import HOW_TO_COMPLETE, Diagnosis, diagnose, missing_line
from grader.errors import UsageError
from grader.sandbox.runner import Limits


def require_confinement(command: str, limits: Limits, unconfined: bool) -> Diagnosis:
    """Refuse (exit 2, one line) where the sandbox is incomplete, unless ``unconfined``; then warn once."""
    diagnosis = diagnose(limits)
    if diagnosis.complete:
        return diagnosis
    if not unconfined:
        raise UsageError(f"{command} produces grades for credit and needs full confinement; missing here: "
                         f"{missing_line(diagnosis)}. To fix: {HOW_TO_COMPLETE}; or pass --unconfined to grade "
                         "anyway (the outputs will say so). See grade doctor.")
    click.echo(f"warning: {command} is grading WITHOUT full confinement ({missing_line(diagnosis)}), as "
               "--unconfined asks; the outputs record it.", err=True)
    return diagnosis
