"""`grade doctor` reports the sandbox's layers instead of running silently without them."""
from __future__ import annotations

import os

import pytest

from grader.doctor import LAYERS, diagnose, render_diagnosis
from grader.sandbox.runner import Limits


@pytest.mark.skipif(os.geteuid() != 0, reason="the full sandbox needs root (as CI has)")
def test_as_root_every_layer_is_active():
    diagnosis = diagnose()
    assert diagnosis.complete, diagnosis.missing
    assert set(diagnosis.active) == set(LAYERS)
    assert "All protections are active." in render_diagnosis(diagnosis)


def test_without_isolation_the_missing_layers_are_named():
    diagnosis = diagnose(Limits(isolate=False))
    assert "PID namespace" in diagnosis.missing and "unprivileged user" in diagnosis.missing
    text = render_diagnosis(diagnosis)
    assert "✗ PID namespace: processes a submission starts" in text
    assert "Some protections are missing" in text


def test_grade_doctor_command_lists_the_layers():
    from click.testing import CliRunner

    from grader.cli import main

    result = CliRunner().invoke(main, ["doctor"])
    assert "Sandbox protections on this machine:" in result.stdout
    assert "network namespace" in result.stdout
    assert result.exit_code == (0 if os.geteuid() == 0 else 1)


def test_batch_log_names_missing_protections():
    from grader.doctor import Diagnosis, sandbox_line

    assert sandbox_line(Diagnosis(("memory limit",), ())) == "Sandbox: all 1 protections active."
    line = sandbox_line(Diagnosis(("memory limit",), ("PID namespace", "network namespace")))
    assert line == "Sandbox: WITHOUT PID namespace, network namespace on this machine (see grade doctor)."
