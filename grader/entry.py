"""The ``grade`` console script. Ctrl-C at any moment, even while the grader's modules load, exits 130 with
one line; once a command runs, ``grader.cli_base.converted`` turns it into the same line and exit code.
The launcher (``grader.launch``) starts the warm fork server before the grader's own modules load."""
from __future__ import annotations

import os
import sys

INTERRUPTED = 130


def _exit_now(code: int) -> None:
    """Exit without waiting for worker threads or running cleanups a second Ctrl-C could interrupt."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def main() -> None:
    try:
        from grader.launch import main as launch

        launch()
    except KeyboardInterrupt:
        try:
            sys.stderr.write("\nError: interrupted (Ctrl-C)\n")
        finally:
            _exit_now(INTERRUPTED)
    except SystemExit as done:
        if done.code == INTERRUPTED:
            _exit_now(INTERRUPTED)
        raise
