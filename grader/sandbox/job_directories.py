"""Each job's directory on the host, made once and used again by later jobs while nothing was written in it.

Within a batch or a watch (``runner.deferred_teardowns``), a job's directory may serve later jobs. A job's
directory holds the mount point of its private root (``root``: the worker mounts a tmpfs over it in
a mount namespace of its own, so the host's directory stays empty) and, where the machine allows no private
root, the folder the student's file is written to (``submission``). Making and removing three directories on
a disk file system cost a job about 10 ms of wall time and 1 ms of CPU (ext4, measured): with a private root
nothing is ever written in them, so the directory of a job that had a private root in a PID namespace of
its own (whose processes never saw the host's directory and are all gone with the namespace), whose two
folders are still empty, and still folders, goes back to the store for the next job. Any other is removed
at once: without a private root, a process the job left behind could still write in it. The stored ones are
removed when the scope ends (``remove_stored``); every one, in use or stored, when the grader exits or stops
at once (``remove_all``).
"""
from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
import threading
from pathlib import Path

from grader.sandbox.cgroups import wait_for_the_exit

KEPT = 16  # directories stored for later jobs at most (a batch runs a few jobs at once)
PARTS = ("root", "submission")


def _still_empty(directory: Path) -> bool:
    """Whether ``directory`` holds exactly its two folders, both empty: what a job that wrote nothing leaves."""
    try:
        if sorted(os.listdir(directory)) != sorted(PARTS):
            return False
        for part in PARTS:
            if not stat.S_ISDIR(os.lstat(directory / part).st_mode) or os.listdir(directory / part):
                return False
    except OSError:
        return False
    return True


class JobDirectories:
    """The job directories of this process: taken by a job, given back when its teardown is over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stored: list[Path] = []
        self._in_use: set[Path] = set()
        self._stopping = threading.Event()

    def take(self) -> Path:
        if self._stopping.is_set():
            wait_for_the_exit()  # the grader is stopping: no new directory to be left behind
        with self._lock:
            directory = self._stored.pop() if self._stored else None
        if directory is None:
            directory = Path(tempfile.mkdtemp(prefix="grade-job-"))
            for part in PARTS:
                (directory / part).mkdir()
        with self._lock:
            self._in_use.add(directory)
        return directory

    def give_back(self, directory: Path, reusable: bool) -> None:
        """Once the job's processes are ended: ``reusable`` when it had a private root in a PID namespace."""
        keep = reusable and _still_empty(directory)  # the file system is read outside the lock
        with self._lock:
            self._in_use.discard(directory)
            keep = keep and len(self._stored) < KEPT
            if keep:
                self._stored.append(directory)
        if not keep:
            shutil.rmtree(directory, ignore_errors=True)

    def remove_stored(self) -> None:
        with self._lock:
            directories, self._stored = self._stored, []
        for directory in directories:
            shutil.rmtree(directory, ignore_errors=True)

    def remove_all(self) -> None:
        """Every directory, in use or stored, as the grader exits or stops at once; no job takes one after."""
        self._stopping.set()
        with self._lock:
            directories = [*self._in_use, *self._stored]
            self._in_use.clear()
            self._stored.clear()
        for directory in directories:
            shutil.rmtree(directory, ignore_errors=True)


job_directories = JobDirectories()
atexit.register(job_directories.remove_all)
