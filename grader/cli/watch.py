"""``grade watch``: grade a file now and again each time it is saved.

Where the file system reports changes (watchdog: inotify on Linux, FSEvents on macOS, kqueue,
ReadDirectoryChangesW), a save is seen at once and graded when no further change has come for
``EVENT_DEBOUNCE_SECONDS``, so an editor's burst of writes (a rename, a create, a write, a close)
costs one grading. The file is still looked at every ``poll`` seconds, in case an event is missed.
Without watchdog, or where the watch cannot be set up (inotify's limits reached, a file system that
reports nothing), the file is polled: its mtime, size and inode, graded once a change has held
still for ``debounce`` seconds.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, Tuple

POLL_SECONDS = 0.3
DEBOUNCE_SECONDS = 0.3
EVENT_DEBOUNCE_SECONDS = 0.05
# What a save does to the file; reading it (opened, closed without writing) is no change.
CHANGES = frozenset({"created", "modified", "moved", "deleted", "closed", "attrib"})

Signature = Optional[Tuple[int, int, int]]


def signature(path: Path) -> Signature:
    """What changes when the file is saved; None while it does not exist (an editor mid-rename)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


class ChangeEvents(Protocol):
    def wait(self, timeout: float) -> bool:
        """True as soon as a change of the file is reported (since the last call), False after ``timeout``."""

    def close(self) -> None: ...


class FileEvents:
    """The file system's reports of changes to one file (watchdog watching its folder)."""

    def __init__(self, path: Path) -> None:
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self._target = os.path.abspath(path)
        self._changed = threading.Event()
        target, changed = self._target, self._changed

        class Handler(FileSystemEventHandler):  # type: ignore[misc]
            def on_any_event(self, event: Any) -> None:
                paths = {os.fsdecode(event.src_path), os.fsdecode(getattr(event, "dest_path", "") or "")}
                if event.event_type in CHANGES and target in paths:
                    changed.set()

        self._observer = Observer()
        self._observer.schedule(Handler(), os.path.dirname(self._target), recursive=False)
        self._observer.daemon = True
        self._observer.start()

    def wait(self, timeout: float) -> bool:
        if not self._changed.wait(timeout):
            return False
        self._changed.clear()  # the file is read after this: a change reported meanwhile is graded too
        return True

    def close(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=1)


def file_events(path: Path) -> FileEvents | None:
    """Change reports for ``path``, or None where they cannot be had (then the file is polled)."""
    if os.environ.get("GRADE_WATCH_POLL"):
        return None
    try:
        return FileEvents(path)
    except Exception:  # noqa: BLE001  watchdog missing, inotify limits, a folder that cannot be watched
        return None


def watch(
    path: Path,
    grade_once: Callable[[Path], None],
    poll: float = POLL_SECONDS,
    debounce: float | None = None,
    stop_after: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    events: ChangeEvents | None = None,
) -> int:
    """Grade ``path`` now, then after every settled change; returns how many times it graded.

    With ``events``, a reported change is graded once no other has come for ``debounce`` (default
    EVENT_DEBOUNCE_SECONDS), and the file is looked at every ``poll`` seconds besides. Without, the file
    is looked at every ``poll`` seconds and a change graded once it has held for ``debounce`` (default
    ``poll``). Runs until ``stop_after`` gradings (forever when None); Ctrl-C raises KeyboardInterrupt.
    """
    graded_signature = signature(path)
    grade_once(path)
    graded = 1
    if events is not None:
        settle = EVENT_DEBOUNCE_SECONDS if debounce is None else debounce
        while stop_after is None or graded < stop_after:
            if not events.wait(poll) and signature(path) in (None, graded_signature):
                continue  # nothing reported, nothing changed
            while events.wait(settle):
                pass  # still being written
            current = signature(path)
            if current is None:
                continue  # mid-rename: the new file's own events follow
            graded_signature = current
            grade_once(path)
            graded += 1
        return graded

    settle = poll if debounce is None else debounce
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
        if clock() - pending_since >= settle:
            graded_signature, pending = current, None
            grade_once(path)
            graded += 1
    return graded


def watch_for_saves(path: Path, grade_once: Callable[[Path], None], poll: float = POLL_SECONDS) -> int:
    """``watch`` with the file system's change reports where there are any, polling elsewhere."""
    events = file_events(path)
    try:
        return watch(path, grade_once, poll=poll, events=events)
    finally:
        if events is not None:
            events.close()


def redraw(screen: str) -> str:
    """``screen`` drawn over the previous one in place: no blank frame between the two (no flicker)."""
    lines = screen.split("\n")
    return "\033[H" + "\n".join(line + "\033[K" for line in lines) + "\033[J"
