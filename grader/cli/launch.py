"""The ``grade`` command's entry point: the warm fork server starts before the grader's own modules load.

The fork server spends a torch import getting ready; the grader meanwhile imports click, numpy, the
lesson and the reference. Started first, the two overlap, and a cold ``grade check`` costs little more
than the torch import. Only commands that grade start it; ``grade --help``, ``grade quiz``, ``grade hint``
and the like never pay for torch.
"""
from __future__ import annotations

import sys

GRADING_COMMANDS = frozenset({"check", "watch", "batch", "list", "validate"})
# Options of the command group that take a value: skipped when looking for the command's name.
# (tests/test_speed.py checks this list against the group's options)
GROUP_VALUE_OPTIONS = frozenset({"--format", "--output", "--exercise", "--seed", "--timeout", "--memory-mb", "--lesson",
                                 "--course", "--prefer"})


def grades(arguments: list[str]) -> bool:
    """Whether these command-line arguments run a command that grades (and so needs the fork server)."""
    if "--help" in arguments or "-h" in arguments:
        return False
    values_follow = False
    for argument in arguments:
        if values_follow:
            values_follow = False
        elif argument in GROUP_VALUE_OPTIONS:
            values_follow = True
        elif not argument.startswith("-"):
            return argument in GRADING_COMMANDS
    return True  # no command: grade the project


def main() -> None:
    if grades(sys.argv[1:]):
        from grader.sandbox.server import warm_server

        warm_server()
    from grader.cli.app import main as grade

    grade()
