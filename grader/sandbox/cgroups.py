"""Per-job cgroups (v1): one memory, one pids and one cpu group for each worker and everything it starts.

RLIMIT_AS and RLIMIT_NPROC bind one process and one user; a job that forks 60 children could still
take 60 times its memory. A cgroup caps the job as a whole, and the kernel's OOM killer then acts
inside the job only. Best effort: where the controllers are not mounted or not writable, the job
runs without them and ``grade doctor`` says so.
"""
from __future__ import annotations

import os
import signal
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

    def ran_out_of_memory(self) -> bool:
        group = self.groups.get("memory")
        if group is None:
            return False
        try:
            for line in (group / "memory.oom_control").read_text().splitlines():
                if line.startswith("oom_kill ") and int(line.split()[1]) > 0:
                    return True
            return int((group / "memory.failcnt").read_text()) > 0
        except (OSError, ValueError):
            return False

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
