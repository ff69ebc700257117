"""Jupyter notebooks: graded as the module their code cells form, and practice checks inside the kernel.

``from grader.notebook import check; check("stable_softmax")`` in a notebook (see ``kernel``). The
grader's side (``program``: a notebook read into Python source, never run) imports nothing of the
kernel's side, and the kernel's side never imports the reference.
"""
from __future__ import annotations

import sys
from typing import Any


def _check(*exercises: str, namespace: dict[str, Any] | None = None, timeout: float = 10.0,
           lesson: str | None = None) -> None:
    """Grade the lesson's functions as defined now in this notebook, for practice (see ``kernel.check``)."""
    from grader.notebook.kernel import check as kernel_check

    kernel_check(*exercises, namespace=namespace if namespace is not None else sys._getframe(1).f_globals,
                 timeout=timeout, lesson=lesson)


_check.__name__ = _check.__qualname__ = "check"


def __getattr__(name: str) -> Any:
    """``from grader.notebook import check``: in Jupyter, also start the grading service in the background,
    so that torch and the lesson load while the student works (the trusted grader never asks for it)."""
    if name != "check":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from grader.notebook.kernel import in_ipython, start_service

    if in_ipython():
        start_service()
    return _check
