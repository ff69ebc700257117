"""Jupyter notebooks: graded as the module their code cells form, and practice checks inside the kernel.

``from grader.notebook import check; check("stable_softmax")`` in a notebook (see ``kernel``). The
grader's side (``program``: reading a notebook into Python source, never running it) does not
import anything of the kernel's side.
"""
from __future__ import annotations

from typing import Any


def check(*exercises: str, **options: Any) -> None:
    """Grade the lesson's functions as currently defined in this notebook, for practice (see kernel.check)."""
    from grader.notebook.kernel import check as kernel_check

    kernel_check(*exercises, _namespace=options.pop("namespace", None) or _caller_globals(), **options)


def _caller_globals() -> dict[str, Any]:
    import sys

    return sys._getframe(2).f_globals
