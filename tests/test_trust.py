"""Issue 19: what a class's grading may trust. --resume regrades when the graded file is another one
(a notebook saved after the .py); a submission that only waits holds its batch slot for a bounded time."""
from __future__ import annotations

import os
import shutil
import time

import nbformat
from nbformat import v4

from grader.batch import BatchOptions, BatchRunner, discover, fingerprint
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
    options = BatchOptions(seed=7, timeout=5, resume=True)
    first = BatchRunner(lesson, tmp_path / "out", options).run([nora])[0]
    assert first.report["score"] == 35
    before = fingerprint(nora, lesson)

    _saved_at(notebook, 1_000_000_200)  # no byte changed; the notebook is now the one saved last
    assert fingerprint(nora, lesson) != before
    seen = []
    again = BatchRunner(lesson, tmp_path / "out", options).run([nora], lambda graded: seen.append(graded.reused))
    assert seen == [False]
    assert again[0].report["score"] == 0
    assert again[0].report["submission"].endswith("softmax_cross_entropy.ipynb")

    seen.clear()  # nothing changed since: reused
    BatchRunner(lesson, tmp_path / "out", options).run([nora], lambda graded: seen.append(graded.reused))
    assert seen == [True]
