"""Limits a worker child puts on itself before it imports any student code."""
from __future__ import annotations

import os
import resource
from typing import Any

MIB = 1024 * 1024


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _set(limit: int, soft: int, hard: int | None = None) -> None:
    resource.setrlimit(limit, (soft, soft if hard is None else hard))


def enter(limits: dict[str, Any], workdir: str) -> list[str]:
    """Apply the job's limits to this process; return the names of the protections in force."""
    os.chdir(workdir)
    cpu = int(limits["cpu_seconds"])
    _set(resource.RLIMIT_CPU, cpu, cpu + 1)
    # Address space is what a process has mapped, torch's ~600 MiB included: budget on top of it.
    _set(resource.RLIMIT_AS, _vm_size_bytes() + int(limits["memory_mb"]) * MIB)
    _set(resource.RLIMIT_FSIZE, int(limits["file_mb"]) * MIB)
    _set(resource.RLIMIT_CORE, 0)
    return ["private working directory", "cpu time limit", "memory limit", "file size limit"]
