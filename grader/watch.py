"""``grade watch``: grade a file now and again each time it is saved.

The file is polled (its mtime, size and inode; no extra dependency) and a change is graded once it
has held still for ``debounce`` seconds, so an editor's burst of writes costs one grading.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Optional, Tuple

POLL_SECONDS = 0.3
DEBOUNCE_SECONDS = 0.3

Signature = Optional[Tuple[int, int, int]]


def signature(path: Path) -> Signature:
    """What changes when the file is saved; None while it does not exist (an editor mid-rename)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def watch(
    path: Path,
    grade_once: Callable[[Path], None],
    poll: float = POLL_SECONDS,
    debounce: float = DEBOUNCE_SECONDS,
    stop_after: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Grade ``path`` now, then after every settled change; returns how many times it graded.

    Runs until ``stop_after`` gradings (forever when None); Ctrl-C raises KeyboardInterrupt out of it.
    """
    graded_signature = signature(path)
    grade_once(path)
    graded = 1
    pending: Signature = None
    pending_since = 0.0
    while stop_after is None or graded < stop_after:
        sleep(poll)
        current = signature(path)
        if current is None or current == graded_signature:
            pending = None
            continue
        if current != pending:
            pending, pending_since = current, clock()
            continue
        if clock() - pending_since >= debounce:
            graded_signature, pending = current, None
            grade_once(path)
            graded += 1
    return graded
