"""Jupyter notebooks: graded as the module their code cells form, and practice checks inside the kernel.

``from grader.notebook import check; check("stable_softmax")`` in a notebook (see ``kernel``). The
grader's side (``program``: a notebook read into Python source, never run) imports nothing of the
kernel's side, and the kernel's side never imports the reference.
"""
from __future__ import annotations

import sys
from typing import Any


def check(*exercises: str, namespace: dict[str, Any] | None = None, timeout: float = 10.0) -> None:
    """Grade the lesson's functions as defined now in this notebook, for practice (see ``kernel.check``)."""
    from grader.notebook.kernel import check as kernel_check

    kernel_check(*exercises, namespace=namespace if namespace is not None else sys._getframe(1).f_globals,
                 timeout=timeout)


def _in_kernel() -> bool:
    shell = sys.modules.get("IPython")
    return shell is not None and getattr(shell, "get_ipython", lambda: None)() is not None


if _in_kernel():  # in Jupyter: torch and the lesson load in the grading service while the student works
    from grader.notebook.kernel import start_service

    start_service()
