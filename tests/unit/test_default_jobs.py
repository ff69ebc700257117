"""grade batch's default --jobs: the cores this process may run on (its CPU affinity), plus two."""
from __future__ import annotations

import os

from grader.batch.runs import default_jobs


def test_the_default_follows_the_cpu_affinity_not_the_whole_machine(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3, 5})  # taskset, a Slurm allocation
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert default_jobs() == 5


def test_without_an_affinity_the_cpu_count_is_used(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity")
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert default_jobs() == 3
