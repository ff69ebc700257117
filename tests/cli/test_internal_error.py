"""A fault of grade itself is one line and exit 70: never a traceback that exits 1, which a script reads as
"graded, something fell short"."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BROKEN = """
import sys
import grader.cli.launch as launch
def broken():
    raise KeyError("a grader bug\\nsecond line")
launch.main = broken
from grader.cli.entry import main
main()
"""


def test_a_bug_in_grade_is_one_line_exit_70_and_its_traceback_kept(tmp_path):
    done = subprocess.run([sys.executable, "-c", BROKEN], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(tmp_path)})
    assert done.returncode == 70
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Error: grade failed (KeyError: 'a grader bug") and "a bug in grade" in line
    [log] = tmp_path.glob("grade-error-*.txt")
    assert line.endswith(f"the traceback is in {log}. Please report it.")
    assert "Traceback" in log.read_text() and "in broken" in log.read_text()


def test_usage_errors_and_verdicts_keep_their_codes(tmp_path):
    missing = tmp_path / "nowhere.py"
    done = subprocess.run([sys.executable, "-m", "grader", "check", str(missing)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 2 and "Traceback" not in done.stderr
