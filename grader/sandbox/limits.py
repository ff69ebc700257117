"""Limits a worker child puts on itself before it imports any student code."""
from __future__ import annotations

import resource
from typing import TypedDict

MIB = 1024 * 1024


class WorkerLimits(TypedDict):
    """The limits a worker puts on itself, as the runner sends them (``runner.Limits.for_worker``)."""

    cpu_seconds: int
    memory_mb: int
    file_mb: int
    processes: int


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _set(limit: int, soft: int, hard: int | None = None) -> None:
    resource.setrlimit(limit, (soft, soft if hard is None else hard))


DESCRIPTIONS = ("cpu time limit", "memory limit", "file size limit")


def enter(limits: WorkerLimits) -> None:
    """Apply the job's limits to this process and everything it starts (see ``limit_processes``)."""
    cpu = int(limits["cpu_seconds"])
    _set(resource.RLIMIT_CPU, cpu, cpu + 1)
    # Address space is what a process has mapped, torch's ~600 MiB included: budget on top of it.
    _set(resource.RLIMIT_AS, _vm_size_bytes() + int(limits["memory_mb"]) * MIB)
    _set(resource.RLIMIT_FSIZE, int(limits["file_mb"]) * MIB)
    _set(resource.RLIMIT_CORE, 0)


def limit_processes(limits: WorkerLimits) -> str:
    """Cap the processes of this job's own user. RLIMIT_NPROC counts every process of a user and
    never binds root, so it is only set once the worker runs as a user of its own."""
    _set(resource.RLIMIT_NPROC, int(limits["processes"]))
    return "process limit"
