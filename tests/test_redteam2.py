"""Red-team findings, second round (branch ``redteam2``): attacks a student can mount with nothing but
the files they hand in, beyond tests/test_hostile.py, tests/test_attacks.py and tests/test_redteam.py.

Each test says what it proves and what happened before its fix. The suite runs as root, as an
unprivileged user and as root without CAP_SYS_ADMIN (.ci/run); every test must hold in each. Costs
are counted (numbers formatted, JSON values parsed), never timed.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from grader.cli import main
from variants import REFERENCE, build_submission

STUDENT_FILE = "softmax_cross_entropy.py"
SOFTMAX = "stable_softmax"


def softmax_exercise(report):
    return next(e for e in report.exercises if e.name == SOFTMAX)


# --- 1. a huge number in quiz_answers.yaml cost the whole row -------------------------------------------

@pytest.mark.parametrize("answers", [
    "q1: " + "1" * 5000,  # int() of over 4300 digits: ValueError inside the YAML loader
    "? " + "9" * 5000 + "\n: b\n",  # the same as a key
    "q1: " + ":".join(["59"] * 3000),  # YAML 1.1 base 60: parsed fine, then str() refuses it
    "q1: 2001-13-45",  # a date out of range: ValueError from datetime
])
def test_a_number_too_long_in_the_answers_costs_only_the_quiz(lesson, tmp_path, answers):
    """README: "a bad answers file (...) costs only its quiz". yaml's SafeLoader raises ValueError (not a
    YAMLError) for an int of more than 4300 digits or an invalid date, and ``str()`` raises it for a
    base-60 int that parsed: ``parse_yaml`` let it through, so ``grade batch`` turned the whole submission
    into "the grader failed on this submission" (the reference scored 0/35) and ``grade check`` printed a
    traceback. Now: the quiz is not graded, with one line; the exercises keep their points."""
    submissions = tmp_path / "class"
    (submissions / "alice").mkdir(parents=True)
    shutil.copy(REFERENCE, submissions / "alice" / STUDENT_FILE)
    (submissions / "alice" / "quiz_answers.yaml").write_text(answers + "\n", encoding="utf-8")
    out = tmp_path / "out"
    graded = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(out), "--seed", "7", "--jobs", "1"])
    assert graded.exit_code == 0, graded.output
    document = json.loads((out / "alice.json").read_text())
    # Before the fix: score 0, status error, "the grader failed on this submission: ValueError: ...".
    assert document["score"] == document["max_score"] == 35
    assert document["batch"]["status"] == "graded" and not document["batch"]["grader_error"]
    assert "quiz not graded" in document["batch"]["message"]
    quiz = CliRunner().invoke(main, ["quiz", "--answers", str(submissions / "alice" / "quiz_answers.yaml")])
    assert quiz.exit_code == 2 and "Traceback" not in quiz.output, quiz.output


# --- 2. describing a returned array of many short axes formatted every number -------------------------

def test_a_result_of_many_short_axes_costs_the_grader_little_to_describe(grade, tmp_path, monkeypatch):
    """Every failed check shows what came back (``compare.show``), for a wrong shape too. numpy
    summarizes a large array by 3 entries at each end of each axis, which bounds nothing when every axis
    has 2 entries: ``np.zeros((2,) * 22)`` (4 million numbers, well within the worker's 5 million)
    was formatted in full, ~30 s of the trusted grader's CPU per failed check, ~35 checks per
    submission: a submission of one line kept a class's batch busy for about 20 minutes (the text is cut
    to 160 characters afterwards). Counted: numbers handed to ``np.array2string``."""
    formatted: list[int] = []
    real = np.array2string

    def counting(array, *args, **kwargs):  # the trusted side only: workers are other processes
        formatted.append(np.asarray(array).size)
        return real(array, *args, **kwargs)

    monkeypatch.setattr(np, "array2string", counting)
    source = "def stable_softmax(logits, axis=-1):\n    return np.zeros((2,) * 20, dtype=np.int8)\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    checks = softmax_exercise(report).checks
    assert not any(c.passed for c in checks if c.name != "input_unchanged")
    assert "got shape (2, 2, 2" in checks[0].message
    # Before the fix: 1,048,576 numbers per failed check.
    assert formatted and max(formatted) <= 1000, max(formatted)


def test_short_arrays_are_still_shown_as_numpy_shows_them():
    from grader.compare import show

    assert show(np.arange(12.0).reshape(3, 4)) == "[[ 0., 1., 2., 3.], [ 4., 5., 6., 7.], [ 8., 9., 10., 11.]]"
    assert show(np.arange(5_000_000.0)) == "[ 0., 1., 2., ..., 4999997., 4999998., 4999999.]"
    assert show(np.zeros((2,) * 22)).startswith("[" * 22 + "0., 0.]")


# --- 3. a notebook of empty objects: 8 MiB of file, 1.5 GiB of the grader's memory ----------------------

def _notebook_of(metadata_list: list, source: str = "x = 1\n") -> bytes:
    cell = {"cell_type": "code", "source": source, "metadata": {"l": metadata_list}, "outputs": [],
            "execution_count": None, "id": "a"}
    document = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(document, separators=(",", ":")).encode()


def test_a_notebook_of_tiny_json_values_is_refused_before_nbformat_parses_it(grade, tmp_path, monkeypatch):
    """Notebooks are read up to 8 MiB, "nbformat holds about ten times the file in memory". Not for
    tiny values: 8 MiB of ``{},`` in a cell's metadata (2.7 million objects) made nbformat build and
    validate 2.7 million nodes: 1.5 GiB of peak memory and ~25 s of the trusted grader per submission;
    four such notebooks under --jobs 4 took 6 GiB. Now the JSON values are counted (outside strings)
    before anything parses the file, like ``protocol.loads`` does for a worker's frames; counted here:
    whether nbformat is called at all."""
    import nbformat

    from grader.notebook.program import MAX_JSON_VALUES, _json_values

    calls = []
    real = nbformat.reads
    monkeypatch.setattr(nbformat, "reads", lambda *a, **k: calls.append(1) or real(*a, **k))
    path = tmp_path / "work.ipynb"
    path.write_bytes(_notebook_of([{}] * (MAX_JSON_VALUES + 10)))
    report = grade(path, exercises=(SOFTMAX,))
    message = softmax_exercise(report).checks[0].message
    assert f"more than {MAX_JSON_VALUES} JSON values" in message and report.score == 0
    # Before the fix: nbformat parsed it (and the full-size attack cost 1.5 GiB).
    assert calls == []
    # Commas and brackets inside strings (code, text outputs) are not counted: only structure is.
    assert _json_values(b'{"a": "x,{[\\\\", "b\\" ,[": [1, 2, {}]}') == 6
    code = "values = [" + ", ".join(["[1, 2]"] * 100_000) + "]\n"  # 300,000 commas and brackets, in a string
    path.write_bytes(_notebook_of([], source=code))
    assert "JSON values" not in softmax_exercise(grade(path, exercises=(SOFTMAX,))).checks[0].message
