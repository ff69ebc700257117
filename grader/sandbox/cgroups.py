"""Per-job cgroups (v1): one memory, one pids and one cpu group for each worker and everything it starts.

RLIMIT_AS and RLIMIT_NPROC bind one process and one user; a job that forks 60 children could still
take 60 times its memory. A cgroup caps the job as a whole, and the kernel's OOM killer then acts
inside the job only. Best effort: where the controllers are not mounted or not writable, the job
runs without them and ``grade doctor`` says so.
"""
from __future__ import annotations

import atexit
import os
import signal
import threading
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
HEADROOM_MB = 512  # a forked worker's copy-on-write pages are charged to it as Python touches them
EXTRA_TASKS = 16  # the worker (its namespace's init) and its threads, on top of the job's own processes
LAYERS = {"memory": "job memory limit (cgroup)", "pids": "job process limit (cgroup)", "cpu": "job CPU share (cgroup)"}
CPU_SHARES = 1024  # every job the same share: a job's busy processes slow that job, not its neighbours


def _own_group(controller: str) -> Path | None:
    """Where this process sits in ``controller``'s hierarchy (the job's group goes below it)."""
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return CGROUP_ROOT / controller / path.lstrip("/")
    except (OSError, ValueError):
        pass
    return None


class JobCgroups:
    """The cgroups of one worker; created empty, joined by the worker before it reads its job."""

    def __init__(self, name: str, memory_mb: int, processes: int) -> None:
        self.groups: dict[str, Path] = {}
        self.settings = (memory_mb, processes)
        self._oom_kills_before = 0  # the memory group's OOM kills before this job (a group used again)
        settings = {
            "memory": [("memory.limit_in_bytes", (memory_mb + HEADROOM_MB) * 1024 * 1024),
                       ("memory.memsw.limit_in_bytes", (memory_mb + HEADROOM_MB) * 1024 * 1024)],
            "pids": [("pids.max", processes + EXTRA_TASKS)],
            "cpu": [("cpu.shares", CPU_SHARES)],
        }
        for controller, values in settings.items():
            parent = _own_group(controller)
            if parent is None or not parent.is_dir():
                continue
            group = parent / name
            try:
                group.mkdir()
                for index, (setting, value) in enumerate(values):
                    try:
                        (group / setting).write_text(str(value))
                    except OSError:
                        if index == 0:  # the limit itself; memsw is only there with swap accounting
                            raise
            except OSError:
                self._remove(group)
                continue
            self.groups[controller] = group

    @property
    def layers(self) -> list[str]:
        return [LAYERS[controller] for controller in self.groups]

    def join(self, pid: int) -> None:
        for controller, group in list(self.groups.items()):
            try:
                (group / "cgroup.procs").write_text(str(pid))
            except OSError:
                self._remove(group)
                del self.groups[controller]

    def _oom_kills(self, group: Path) -> int:
        for line in (group / "memory.oom_control").read_text().splitlines():
            if line.startswith("oom_kill "):
                return int(line.split()[1])
        return 0

    def ran_out_of_memory(self) -> bool:
        group = self.groups.get("memory")
        if group is None:
            return False
        try:
            if self._oom_kills(group) > self._oom_kills_before:
                return True
            return int((group / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return False

    def empty_again(self) -> bool:
        """Ready for another job: no process left in any group, the memory group's counters set back (its
        failure count to 0, its OOM kills so far noted). False where that cannot be made sure of."""
        try:
            for group in self.groups.values():
                if (group / "cgroup.procs").read_text().strip():
                    return False
            memory = self.groups.get("memory")
            if memory is not None:
                (memory / "memory.failcnt").write_text("0")
                self._oom_kills_before = self._oom_kills(memory)
        except (OSError, ValueError):
            return False
        return True

    def close(self) -> None:
        """Kill whatever is left in the groups and remove them."""
        for group in self.groups.values():
            for _ in range(50):
                try:
                    pids = [int(p) for p in (group / "cgroup.procs").read_text().split()]
                except OSError:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                if self._remove(group):
                    break
                time.sleep(0.02)
        self.groups = {}

    @staticmethod
    def _remove(group: Path) -> bool:
        try:
            group.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            return False


def wait_for_the_exit() -> None:
    """Where a job would start once the grader is stopping (its groups and directories are being removed): the
    thread waits for the process to end instead of making new ones."""
    threading.Event().wait()


class StoredCgroups:
    """The groups of jobs that ended with nothing left in them, used again by a later job with the same limits
    (within a batch or a watch, as ``job_directories``): making and removing three groups cost the grader
    ~2.4 ms of CPU a job, and the kernel more in the background. Only a job whose processes all died with its
    PID namespace gives its groups back (``runner``); a group with a process left in it is removed."""

    KEPT = 8

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stored: list[JobCgroups] = []
        self._in_use: list[JobCgroups] = []  # taken by a job whose teardown has not given them back
        self._stopping = threading.Event()

    def take(self, name: str, memory_mb: int, processes: int) -> JobCgroups:
        if self._stopping.is_set():
            wait_for_the_exit()
        with self._lock:
            taken = next((self._stored.pop(i) for i, stored in enumerate(self._stored)
                          if stored.settings == (memory_mb, processes)), None)
        if taken is None:
            taken = JobCgroups(name, memory_mb, processes)
        with self._lock:
            self._in_use.append(taken)
        return taken

    def give_back(self, cgroups: JobCgroups, reusable: bool) -> None:
        keep = reusable and bool(cgroups.groups) and cgroups.empty_again()
        with self._lock:
            if cgroups in self._in_use:
                self._in_use.remove(cgroups)
            keep = keep and len(self._stored) < self.KEPT
            if keep:
                self._stored.append(cgroups)
        if not keep:
            cgroups.close()

    def remove_stored(self) -> None:
        with self._lock:
            stored, self._stored = self._stored, []
        for cgroups in stored:
            cgroups.close()

    def remove_all(self) -> None:
        """Every group, stored or in use, as the grader stops at once (Ctrl-C) or exits: the processes of a job
        still running are killed (the fork server ends them too, once the grader is gone) and its groups
        removed, which a cgroup's own teardown never does for a process that is gone."""
        self._stopping.set()
        with self._lock:
            groups = [*self._in_use, *self._stored]
            self._in_use, self._stored = [], []
        for cgroups in groups:
            cgroups.close()


stored_cgroups = StoredCgroups()
atexit.register(stored_cgroups.remove_all)
