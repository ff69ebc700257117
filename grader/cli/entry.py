"""The ``grade`` console script. Ctrl-C at any moment, even while the grader's modules load, exits 130 with
one line; once a command runs, ``grader.cli.base.converted`` turns it into the same line and exit code.
The launcher (``grader.cli.launch``) starts the warm fork server before the grader's own modules load."""
from __future__ import annotations

import os
import sys

from grader.core.errors import caused_by_ctrl_c

INTERRUPTED = 130
INTERNAL_ERROR = 70  # EX_SOFTWARE: a fault of grade itself, never a verdict on the work (0, 1) nor bad usage (2)


def _exit_now(code: int) -> None:
    """Exit without waiting for worker threads or running cleanups a second Ctrl-C could interrupt."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _remove_job_directories() -> None:
    """The directories of the jobs that were running (the exit skips every cleanup)."""
    runner = sys.modules.get("grader.sandbox.runner")
    if runner is not None:
        runner.remove_job_directories()


def _interrupted(say: bool = True) -> None:
    """Say so in one line (unless it was said already) and leave at once, exit code 130."""
    try:
        if say:
            sys.stderr.write("\nError: interrupted (Ctrl-C)\n")
        _remove_job_directories()
    finally:
        _exit_now(INTERRUPTED)


def _unraisable(unraisable: object) -> None:
    """Ctrl-C that struck inside a finalizer (a ``__del__`` run by the garbage collector while modules load)
    cannot propagate: Python would print it as "Exception ignored" and carry on grading. It still stops."""
    if isinstance(getattr(unraisable, "exc_value", None), KeyboardInterrupt):
        _interrupted()
    sys.__unraisablehook__(unraisable)  # type: ignore[arg-type]


def install_interrupt_hooks() -> None:
    sys.unraisablehook = _unraisable


def main() -> None:
    install_interrupt_hooks()
    try:
        from grader.cli.launch import main as launch

        launch()
    except SystemExit as done:
        if done.code == INTERRUPTED:  # a command said so already (cli.base.converted)
            _interrupted(say=False)
        raise
    except BaseException as error:
        if caused_by_ctrl_c(error):
            _interrupted()
        if not isinstance(error, Exception):
            raise
        _internal_error(error)


def _internal_error(error: Exception) -> None:
    """A fault of grade itself: one line that says so and where the traceback went, exit 70. Left as Python's
    traceback, it exited 1, which a script (CI, Gradescope's run_autograder) reads as "graded, fell short"."""
    import tempfile
    import traceback

    try:
        with tempfile.NamedTemporaryFile("w", prefix="grade-error-", suffix=".txt", delete=False) as log:
            traceback.print_exception(error, file=log)
        where = f"the traceback is in {log.name}"
    except OSError:
        where = "the traceback follows"
        traceback.print_exception(error)
    text = str(error).splitlines()[0][:300] if str(error) else ""
    sys.stderr.write(f"Error: grade failed ({type(error).__name__}{': ' + text if text else ''}); this is a bug in "
                     f"grade, not in the work graded: {where}. Please report it.\n")
    raise SystemExit(INTERNAL_ERROR) from None  # as any exit: the job directories are removed
