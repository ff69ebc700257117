"""`grade doctor` reports the sandbox's layers instead of running silently without them."""
from __future__ import annotations

from click.testing import CliRunner

from grader.cli.app import main
from grader.engine.doctor import LAYERS, RESOURCE_LAYERS, Diagnosis, diagnose, render_diagnosis, sandbox_line
from grader.sandbox.runner import Limits


def test_confinement_is_complete_wherever_the_suite_runs():
    """CI runs the suite as root, as an unprivileged user and as root without CAP_SYS_ADMIN:
    complete confinement must hold in each."""
    diagnosis = diagnose()
    assert diagnosis.complete, diagnosis.missing
    assert set(LAYERS) <= set(diagnosis.active)
    assert "Confinement is complete" in render_diagnosis(diagnosis)


def test_without_isolation_the_missing_layers_are_named():
    diagnosis = diagnose(Limits(isolate=False))
    assert not diagnosis.complete
    assert "PID namespace" in diagnosis.missing and "unprivileged user" in diagnosis.missing
    text = render_diagnosis(diagnosis)
    assert "✗ PID namespace: processes a submission starts" in text
    assert "Confinement is INCOMPLETE" in text and "sudo" in text


def test_grade_doctor_command_lists_the_layers_and_the_environment():
    result = CliRunner().invoke(main, ["doctor"])
    assert "Sandbox protections on this machine (grading as " in result.stdout
    assert "✓ network namespace" in result.stdout
    assert result.exit_code == 0


def test_batch_log_names_missing_protections():
    assert sandbox_line(Diagnosis(("memory limit",), ())) == \
        "Sandbox: confinement complete (1 protection active; grade doctor lists them)."
    # The number is of the layers grade doctor marks with a check (not of the raw protections reported).
    everything = Diagnosis(tuple(LAYERS) + tuple(RESOURCE_LAYERS) + ("unprivileged user 200001",), ())
    assert f"({len(LAYERS) + len(RESOURCE_LAYERS)} protections active;" in sandbox_line(everything)
    assert render_diagnosis(everything).count("✓") == len(LAYERS) + len(RESOURCE_LAYERS)
    line = sandbox_line(Diagnosis(("memory limit",), ("PID namespace", "network namespace")))
    assert line == "Sandbox: WITHOUT PID namespace, network namespace on this machine (see grade doctor)."
