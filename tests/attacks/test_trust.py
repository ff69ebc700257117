"""Issue 19: what a class's grading may trust. --resume regrades when the graded file is another one
(a notebook saved after the .py); a submission that only waits holds its batch slot for a bounded time."""
from __future__ import annotations

import os
import shutil
import time

import json

import nbformat
import pytest
from click.testing import CliRunner
from nbformat import v4

from grader.batch.runs import BatchOptions, BatchRunner, discover, fingerprint
from grader.core.submission import Prefer
from grader.cli.app import main
from grader.sandbox.collect import submission_seconds
from grader.sandbox.server import warm_server
from variants import STUB, build_submission


def _stub_notebook(path):
    notebook = v4.new_notebook()
    notebook.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    notebook.cells = [v4.new_code_cell(STUB.read_text(encoding="utf-8"))]
    path.write_text(nbformat.writes(notebook), encoding="utf-8")


def _saved_at(path, seconds):
    os.utime(path, (seconds, seconds), follow_symlinks=False)


def test_resume_regrades_when_the_notebook_is_graded_instead_of_the_py_file(tmp_path, lesson):
    submissions = tmp_path / "submissions"
    (submissions / "nora").mkdir(parents=True)
    py = build_submission(submissions / "nora", {})  # the full solution
    notebook = submissions / "nora" / "softmax_cross_entropy.ipynb"
    _stub_notebook(notebook)  # the untouched stub, as a notebook
    _saved_at(notebook, 1_000_000_000)
    _saved_at(py, 1_000_000_100)  # the .py saved last: it is graded
    [nora] = discover(submissions)
    # By the time of saving alone (--prefer newest; by default the untouched stub never displaces the .py).
    options = BatchOptions(seed=7, timeout=5, resume=True, prefer=Prefer.NEWEST)
    first = BatchRunner(lesson, tmp_path / "out", options).run([nora])[0]
    assert first.report.score == 35
    before, by_default = fingerprint(nora, lesson, Prefer.NEWEST), fingerprint(nora, lesson)

    _saved_at(notebook, 1_000_000_200)  # no byte changed; the notebook is now the one saved last
    assert fingerprint(nora, lesson) == by_default  # the finished .py is still the one graded by default
    assert fingerprint(nora, lesson, Prefer.IPYNB) != by_default  # --prefer chooses another file: regraded
    assert fingerprint(nora, lesson, Prefer.NEWEST) != before
    seen = []
    again = BatchRunner(lesson, tmp_path / "out", options).run([nora], lambda graded: seen.append(graded.reused))
    assert seen == [False]
    assert again[0].report.score == 0
    assert again[0].report.submission.endswith("softmax_cross_entropy.ipynb")

    seen.clear()  # nothing changed since: reused
    BatchRunner(lesson, tmp_path / "out", options).run([nora], lambda graded: seen.append(graded.reused))
    assert seen == [True]


SLEEPER_PRELUDE = "import time\ntime.sleep(3.6)  # just under the import's 4 x 1 s of waiting\n"


@pytest.mark.slow  # over 10 s on 2 shared cores (--durations)
def test_a_sleeping_submission_holds_its_slot_for_its_own_time_only(tmp_path, lesson):
    """A file that waits just under the limit at import and forever in every function once held a batch slot
    for about 72 time limits (each exercise 4 x, then a fresh worker's re-import 4 x). Now it has the
    submission's time for all its exercises together; the rest of the class is graded as ever."""
    timeout = 1.0
    submissions = tmp_path / "submissions"
    for name in ("amy", "zed"):
        (submissions / name).mkdir(parents=True)
    build_submission(submissions / "amy", {})
    sleeping = {e.name: f"def {e.name}(*args, **kwargs):\n    time.sleep(10**6)\n" for e in lesson.exercises}
    build_submission(submissions / "zed", sleeping, prelude=SLEEPER_PRELUDE)
    warm_server()
    started = time.monotonic()
    result = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(tmp_path / "out"), "--seed", "7",
                                       "--timeout", str(timeout), "--jobs", "1"], catch_exceptions=False)
    elapsed = time.monotonic() - started
    assert result.exit_code == 0, result.output
    exercises = len(lesson.exercises)
    budget = submission_seconds(timeout, exercises)
    assert budget == timeout * (exercises + 4)
    # The sleeper's time, plus generous room for starting and ending workers and for grading amy: far below
    # the 2 x 4 x 9 = 72 s of waiting the sleeper could cost before.
    assert elapsed < budget + 20, elapsed

    amy = json.loads((tmp_path / "out" / "amy.json").read_text())
    assert amy["score"] == amy["max_score"] == 35 and amy["batch"]["status"] == "graded"
    zed = json.loads((tmp_path / "out" / "zed.json").read_text())
    assert zed["score"] == 0 and zed["batch"]["status"] == "timeout"
    ran_out = f"the submission's time ran out: {budget:g} s for all its exercises together"
    statuses = [e["status"] for e in zed["exercises"]]
    assert statuses == ["timeout"] * exercises
    out_of_time = [e["name"] for e in zed["exercises"]
                   if all(c["message"].endswith(f"not run: {ran_out} (the {timeout:g} s time limit x ({exercises} exercises + 4))")
                          for c in e["checks"])]
    # the first exercise or two time out on their own limit; the rest are stopped or never run
    assert out_of_time == [e.name for e in lesson.exercises][-len(out_of_time):] and len(out_of_time) >= exercises - 2
