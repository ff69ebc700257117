"""What the sandbox can do on this machine: run a harmless job and read back the layers in force."""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.sandbox.runner import Job, Limits, Task, run_job

# Every layer the sandbox knows, and what is lost without it.
LAYERS = {
    "private copy of the submission": "the student's file is graded from a copy",
    "mount namespace": "submissions could see the machine's files",
    "PID namespace": "processes a submission starts (setsid, double fork) could outlive its exercise",
    "network namespace": "submissions could use the network",
    "IPC namespace": "submissions could reach other processes' shared memory",
    "UTS namespace": "submissions could rename the host",
    "minimal read-only file system": "submissions could read the reference, other submissions and the grader",
    "unprivileged user": "submissions run as the grader's user and could change its files",
    "cpu time limit": "a busy loop would only be stopped by the wall-clock limit",
    "memory limit": "a submission could exhaust the machine's memory",
    "process limit": "a fork bomb could exhaust the machine's processes",
    "file size limit": "a submission could fill the disk",
    "job memory limit (cgroup)": "a submission's processes together could take many times the memory limit",
    "job process limit (cgroup)": "the process limit would count per user, not per job",
}


@dataclass(frozen=True)
class Diagnosis:
    active: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing


def _layer(protection: str) -> str:
    return "unprivileged user" if protection.startswith("unprivileged user") else protection


def diagnose(limits: Limits = Limits()) -> Diagnosis:
    with tempfile.TemporaryDirectory(prefix="grade-doctor-") as directory:
        probe = Path(directory) / "probe.py"
        probe.write_text("def probe():\n    return 1.0\n", encoding="utf-8")
        [outcome] = run_job(Job(probe, (Task("probe", [{"id": "probe", "args": []}]),), limits))
    active = tuple(dict.fromkeys(_layer(p) for p in outcome.protections))
    return Diagnosis(active, tuple(layer for layer in LAYERS if layer not in active))


def sandbox_line(diagnosis: Diagnosis) -> str:
    """One line for a batch log: the sandbox is complete, or what it lacks here."""
    if diagnosis.complete:
        return f"Sandbox: all {len(diagnosis.active)} protections active."
    return f"Sandbox: WITHOUT {', '.join(diagnosis.missing)} on this machine (see grade doctor)."


def render_diagnosis(diagnosis: Diagnosis) -> str:
    lines = ["Sandbox protections on this machine:"]
    lines += [f"  ✓ {layer}" for layer in LAYERS if layer in diagnosis.active]
    lines += [f"  ✗ {layer}: {LAYERS[layer]}" for layer in diagnosis.missing]
    if diagnosis.missing:
        lines.append("Some protections are missing (the grader needs root and a kernel that allows namespaces).")
    else:
        lines.append("All protections are active.")
    return "\n".join(lines) + "\n"
