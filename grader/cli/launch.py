"""The ``grade`` command's entry point: the warm fork server starts before the grader's own modules load.

The fork server spends a torch import getting ready; the grader meanwhile imports click, numpy, the
lesson and the reference. Started first, the two overlap, and a cold ``grade check`` costs little more
than the torch import. Only commands that grade start it; ``grade --help``, ``grade quiz``, ``grade hint``
and the like never pay for torch, and neither does ``grade check --exercise NAME FILE`` of a file that does not
import torch at its top level (``needs_torch``).
"""
from __future__ import annotations

import os
import re
import stat
import sys

GRADING_COMMANDS = frozenset({"check", "watch", "batch", "list", "validate"})
# Options of the command group that take a value: skipped when looking for the command's name.
# (tests/test_speed.py checks this list against the group's options)
GROUP_VALUE_OPTIONS = frozenset({"--format", "--output", "--exercise", "--seed", "--timeout", "--memory-mb", "--lesson",
                                 "--course", "--prefer"})
CHECK_VALUE_OPTIONS = GROUP_VALUE_OPTIONS | {"--junit", "--hidden-visibility"}  # and `grade check`'s own
# A module-level import of torch (`import torch`, `import numpy as np, torch`, `from torch import nn`) at the
# start of a line. Indented imports (inside a function, a try or `if TYPE_CHECKING`) may never run.
TOP_LEVEL_TORCH = re.compile(rb"^(?:from[ \t]+torch\b|import[ \t][^\n#;]*\btorch\b)", re.MULTILINE)
HINT_BYTES = 1 << 20  # a larger file gets the warm torch without being read here


def grades(arguments: list[str]) -> bool:
    """Whether these command-line arguments run a command that grades (and so needs the fork server)."""
    if "--help" in arguments or "-h" in arguments:
        return False
    positionals = _positionals(arguments, GROUP_VALUE_OPTIONS)
    return not positionals or positionals[0] in GRADING_COMMANDS  # no command: grade the project


def _positionals(arguments: list[str], value_options: frozenset[str]) -> list[str]:
    """The arguments that are neither options nor an option's value."""
    found, values_follow = [], False
    for argument in arguments:
        if values_follow:
            values_follow = False
        elif argument in value_options:
            values_follow = True
        elif not argument.startswith("-"):
            found.append(argument)
    return found


def imports_torch_at_top(path: str) -> bool:
    """Whether this file may import torch as it loads: True unless it is a plain Python file, small enough,
    with no module-level torch import (a hint only: a worker imports torch itself if the file does after all)."""
    if not path.endswith(".py"):
        return True  # a notebook or a folder: not looked into here
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return True
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or status.st_size > HINT_BYTES:
            return True
        return TOP_LEVEL_TORCH.search(os.read(fd, HINT_BYTES)) is not None
    except OSError:
        return True
    finally:
        os.close(fd)


def needs_torch(arguments: list[str]) -> bool:
    """Whether the fork server should import torch as it starts. Not for ``grade check --exercise NAME FILE``
    of a Python file that imports no torch at its top level: a numpy-only exercise then costs no torch import
    at all. The grader never asks a numpy-only server to change: a worker that needs torch (a Tensor argument,
    an import inside a function) imports it itself, which for one submission costs what the server's import
    would have."""
    if not any(a == "--exercise" or a.startswith("--exercise=") for a in arguments):
        return True
    positionals = _positionals(arguments, CHECK_VALUE_OPTIONS)
    if len(positionals) != 2 or positionals[0] != "check":
        return True
    return imports_torch_at_top(positionals[1])


def main() -> None:
    arguments = sys.argv[1:]
    if grades(arguments):
        from grader.sandbox.server import warm_server

        warm_server(torch=needs_torch(arguments))
    from grader.cli.app import main as grade

    grade()
