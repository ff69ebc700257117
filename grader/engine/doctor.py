"""What the sandbox can do on this machine: run a harmless job and read back the layers in force.

Confinement is *complete* when every layer that keeps a grade from being faked, another submission
from being touched and the machine from being harmed is active. The resource layers (per-job cgroups,
a host user of its own per job) need root; without them grades still hold, and the doctor says what
they would add.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from grader.core.formatting import counted
from grader.sandbox.runner import Job, Limits, Task, run_job

# Every layer that complete confinement needs, and what is lost without it.
LAYERS = {
    "private copy of the submission": "the student's file is graded from a copy",
    "mount namespace": "submissions could see the machine's files",
    "PID namespace": "processes a submission starts (setsid, double fork) could outlive its exercise",
    "network namespace": "submissions could use the network",
    "IPC namespace": "submissions could reach other processes' shared memory",
    "UTS namespace": "submissions could rename the host",
    "minimal read-only file system": "submissions could read the reference, other submissions and the grader",
    "unprivileged user": "submissions would run with the grader's privileges and could change its files",
    "no namespaces of its own": "a submission could become root of a user namespace of its own and mount "
                                "file systems of any size",
    "syscall filter": "the kernel's riskiest interfaces (ptrace, keys, BPF, io_uring, perf events, mounts) "
                      "stay open to submissions",
    "cpu time limit": "a busy loop would only be stopped by the wall-clock limit",
    "memory limit": "a submission could exhaust the machine's memory",
    "process limit": "a fork bomb could exhaust the machine's processes",
    "file size limit": "a submission could fill the disk",
}
# Layers that make a class fairer and the machine safer under load; they need root.
RESOURCE_LAYERS = {
    "own host user per job": "jobs share the grader's host uid (the mount view still hides every file)",
    "job memory limit (cgroup)": "a submission's processes together could take many times the memory limit",
    "job process limit (cgroup)": "the process limit counts per job's user namespace, not by a cgroup",
    "job CPU share (cgroup)": "a submission's busy processes slow its neighbours (time limits count CPU time)",
}
HOW_TO_COMPLETE = ("run grade as root (sudo -E), or on a kernel that allows unprivileged user namespaces "
                   "(Ubuntu: sysctl kernel.apparmor_restrict_unprivileged_userns=0)")


@dataclass(frozen=True)
class Diagnosis:
    active: tuple[str, ...]
    missing: tuple[str, ...]  # layers of complete confinement that are not active
    missing_resources: tuple[str, ...] = ()
    environment: str = ""

    @property
    def complete(self) -> bool:
        return not self.missing


def environment() -> str:
    """Who the grader runs as, in the words of the security model's table."""
    if os.geteuid() != 0:
        return f"unprivileged user (uid {os.geteuid()})"
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            effective = next(int(line.split()[1], 16) for line in status if line.startswith("CapEff:"))
    except (OSError, StopIteration, ValueError):
        return "root"
    return "root" if effective & (1 << 21) else "root without CAP_SYS_ADMIN"


def _layer(protection: str) -> str:
    return "unprivileged user" if protection.startswith("unprivileged user") else protection


def missing_layers(protections: tuple[str, ...]) -> tuple[str, ...]:
    """The layers of complete confinement not among a job's protections."""
    active = {_layer(p) for p in protections}
    return tuple(layer for layer in LAYERS if layer not in active)


def diagnose(limits: Limits = Limits()) -> Diagnosis:
    probe = b"def probe():\n    return 1.0\n"
    [outcome] = run_job(Job("probe.py", probe, (Task("probe", [{"id": "probe", "args": []}]),), limits))
    active = tuple(dict.fromkeys(_layer(p) for p in outcome.protections))
    return Diagnosis(active, tuple(layer for layer in LAYERS if layer not in active),
                     tuple(layer for layer in RESOURCE_LAYERS if layer not in active), environment())


def missing_line(diagnosis: Diagnosis) -> str:
    return ", ".join(diagnosis.missing)


def sandbox_line(diagnosis: Diagnosis) -> str:
    """One line for a batch log: the sandbox is complete, or what it lacks here."""
    if diagnosis.complete:
        shown = sum(layer in diagnosis.active for layer in (*LAYERS, *RESOURCE_LAYERS))  # as grade doctor lists them
        return f"Sandbox: confinement complete ({counted(shown, 'protection')} active; grade doctor lists them)."
    return f"Sandbox: WITHOUT {missing_line(diagnosis)} on this machine (see grade doctor)."


def render_diagnosis(diagnosis: Diagnosis) -> str:
    lines = [f"Sandbox protections on this machine (grading as {diagnosis.environment or environment()}):"]
    lines += [f"  ✓ {layer}" for layer in (*LAYERS, *RESOURCE_LAYERS) if layer in diagnosis.active]
    lines += [f"  ✗ {layer}: {LAYERS[layer]}" for layer in diagnosis.missing]
    lines += [f"  - {layer} (needs root): {RESOURCE_LAYERS[layer]}" for layer in diagnosis.missing_resources]
    if diagnosis.missing:
        lines.append(f"Confinement is INCOMPLETE: grade batch and credit formats refuse to run here. "
                     f"To fix: {HOW_TO_COMPLETE}.")
    else:
        lines.append("Confinement is complete: grades produced here hold.")
    return "\n".join(lines) + "\n"
