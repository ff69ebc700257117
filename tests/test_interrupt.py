"""Ctrl-C, as a terminal sends it (SIGINT to the whole process group), at any moment: exit code 130 and one
line on stderr, never a traceback nor exit code 1 ("graded, fell short")."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from projects import make_project

GRADE = Path(sys.executable).with_name("grade")
HANGING = "def stable_softmax(logits, axis=-1):\n    while True:\n        pass\n"


def interrupted(args: list[str], cwd: Path, after: float) -> subprocess.CompletedProcess:
    process = subprocess.Popen([str(GRADE), *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    time.sleep(after)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.skipif(not GRADE.exists(), reason="the grade console script is not installed beside this python")
# From 0.15 s: before that Python itself is still starting (its `site` module), where only Python's
# own message can be printed; the grader's modules, torch and grading come after.
@pytest.mark.parametrize("after", [0.15, 0.4, 1.0, 4.0])
def test_ctrl_c_at_any_moment_exits_130_with_one_line(tmp_path, after):
    root = make_project(tmp_path)
    exercise = root / "exercises" / "softmax_cross_entropy.py"
    exercise.write_text(exercise.read_text() + "\n" + HANGING)  # grading lasts until the time limit
    result = interrupted(["check", str(root), "--timeout", "30"], root, after)
    assert result.returncode == 130, (result.returncode, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("Note: graded without")]
    assert lines == ["Error: interrupted (Ctrl-C)"], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.skipif(not GRADE.exists(), reason="the grade console script is not installed beside this python")
def test_ctrl_c_in_a_batch_exits_130_promptly(tmp_path):
    submissions = tmp_path / "submissions"
    for name in ("a", "b", "c"):
        make_project(submissions / name)
        path = submissions / name / "exercises" / "softmax_cross_entropy.py"
        path.write_text(path.read_text() + "\n" + HANGING)
    started = time.monotonic()
    result = interrupted(["batch", str(submissions), "--out", str(tmp_path / "out"), "--seed", "7", "--timeout", "30"],
                         tmp_path, 4.0)
    assert result.returncode == 130 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "Error: interrupted (Ctrl-C)"
    assert time.monotonic() - started < 20  # not after the hanging submissions' 30 s time limits
