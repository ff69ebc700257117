"""A submission holding both the .py file and the notebook: the choice is never silent (issue 22, item 1).

A student finishes exercises/NAME.py; Jupyter's autosave touches the untouched notebook beside it. The
finished file is graded, and every output (text, JSON, Gradescope, Classroom, the gradebook, grade list)
says which file was graded, which was left out and why; ``--prefer`` chooses otherwise.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from grader.cli.app import main
from grader.authoring.lesson_notebook import lesson_notebook_text
from grader.core.submission import Prefer, SubmissionFile, choose_file, untouched_stub
from projects import grade_in, make_project
from variants import REFERENCE, STUB

TITLE = "Softmax, Cross-Entropy & Optimization"
PY, IPYNB = "exercises/softmax_cross_entropy.py", "exercises/softmax_cross_entropy.ipynb"
STUB_REASON = "it is the untouched stub"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def stub_notebook(path: Path, source: Path = STUB) -> Path:
    path.write_text(lesson_notebook_text(source.read_text(encoding="utf-8"), TITLE, "softmax_cross_entropy"), encoding="utf-8")
    return path


def finished_py_and_autosaved_stub_notebook(folder: Path) -> Path:
    """The issue's student: the .py finished, the untouched notebook saved after it."""
    (folder / "exercises").mkdir(parents=True)
    python = Path(shutil.copy(REFERENCE, folder / PY))
    notebook = stub_notebook(folder / IPYNB)
    os.utime(python, (1_000_000, 1_000_000))
    os.utime(notebook, (2_000_000, 2_000_000))
    return folder


# --- the rule ----------------------------------------------------------------------------------------


def test_the_untouched_stub_is_recognised_as_py_and_as_notebook_and_work_is_not(tmp_path):
    shutil.copy(STUB, tmp_path / "stub.py")
    shutil.copy(REFERENCE, tmp_path / "done.py")
    stub_notebook(tmp_path / "stub.ipynb")
    stub_notebook(tmp_path / "done.ipynb", REFERENCE)
    started = STUB.read_text(encoding="utf-8").replace(
        'raise NotImplementedError("stable_softmax: subtract each slice\'s maximum, exponentiate, normalise")',
        "return logits", 1)
    (tmp_path / "started.py").write_text(started, encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    (tmp_path / "empty.py").write_text("", encoding="utf-8")
    found = {name: untouched_stub(SubmissionFile(tmp_path, name))
             for name in ("stub.py", "done.py", "stub.ipynb", "done.ipynb", "started.py", "broken.py", "empty.py")}
    assert found == {"stub.py": True, "stub.ipynb": True, "done.py": False, "done.ipynb": False,
                     "started.py": False, "broken.py": False, "empty.py": False}


def test_the_file_that_is_not_the_stub_is_graded_whichever_was_saved_last(tmp_path):
    folder = finished_py_and_autosaved_stub_notebook(tmp_path / "s")
    chosen = choose_file(folder, PY, IPYNB)
    assert chosen.relative == PY and chosen.choice is not None
    assert (chosen.choice.graded, chosen.choice.left_out) == (PY, IPYNB) and STUB_REASON in chosen.choice.reason
    # the other way round: the notebook worked in, the .py untouched and saved last
    shutil.copy(STUB, folder / PY)
    stub_notebook(folder / IPYNB, REFERENCE)
    os.utime(folder / IPYNB, (1_000_000, 1_000_000))
    assert choose_file(folder, PY, IPYNB).relative == IPYNB


def test_prefer_chooses_and_says_so(tmp_path):
    folder = finished_py_and_autosaved_stub_notebook(tmp_path / "s")
    newest = choose_file(folder, PY, IPYNB, Prefer.NEWEST)
    assert newest.relative == IPYNB and newest.choice is not None and "saved earlier" in newest.choice.reason
    assert choose_file(folder, PY, IPYNB, Prefer.IPYNB).choice.reason == "--prefer ipynb"  # type: ignore[union-attr]
    assert choose_file(folder, PY, IPYNB, Prefer.PY).relative == PY
    # both untouched, as in a fresh release: the .py, saying why
    shutil.copy(STUB, folder / PY)
    both = choose_file(folder, PY, IPYNB)
    assert both.relative == PY and both.choice.reason == "both are still the untouched stub, and the .py file is graded then"  # type: ignore[union-attr]
    shutil.copy(REFERENCE, folder / PY)
    os.utime(folder / PY, (1_000_000, 1_000_000))
    # neither is the stub: the newest, and the note says how to choose otherwise
    stub_notebook(folder / IPYNB, REFERENCE)
    os.utime(folder / IPYNB, (2_000_000, 2_000_000))
    started = choose_file(folder, PY, IPYNB)
    assert started.relative == IPYNB and "--prefer py" in started.choice.reason  # type: ignore[union-attr]
    os.utime(folder / IPYNB, (1_000_000, 1_000_000))
    assert "same moment" in choose_file(folder, PY, IPYNB).choice.reason  # type: ignore[union-attr]


# --- every output says it ----------------------------------------------------------------------------


def test_check_grades_the_finished_py_and_every_format_says_which_file(tmp_path):
    folder = finished_py_and_autosaved_stub_notebook(tmp_path / "s")
    text = run("check", str(folder), "--exercise", "stable_softmax")
    assert text.exit_code == 0, text.output
    assert f"Note: graded {PY}, not {IPYNB}: {STUB_REASON}" in text.stdout

    document = json.loads(run("check", str(folder), "--exercise", "stable_softmax", "--format", "json").stdout)
    assert document["score"] == document["max_score"] == 5
    assert document["file_choice"]["graded"] == PY and document["file_choice"]["left_out"] == IPYNB
    assert STUB_REASON in document["file_choice"]["reason"]

    gradescope = json.loads(run("check", str(folder), "--exercise", "stable_softmax", "--format", "gradescope",
                                "--unconfined", "--seed", "1").stdout)
    assert f"graded {PY}, not {IPYNB}" in gradescope["output"]
    classroom = json.loads(run("check", str(folder), "--exercise", "stable_softmax", "--format", "classroom",
                               "--unconfined", "--seed", "1").stdout)
    assert all(f"graded {PY}, not {IPYNB}" in test["message"] for test in classroom["tests"])
    markdown = run("check", str(folder), "--exercise", "stable_softmax", "--format", "markdown").stdout
    assert "**Note:** graded" in markdown


def test_check_prefer_newest_grades_the_notebook_and_says_so(tmp_path):
    folder = finished_py_and_autosaved_stub_notebook(tmp_path / "s")
    result = run("check", str(folder), "--exercise", "stable_softmax", "--prefer", "newest", "--format", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 1 and document["submission"].endswith(".ipynb") and document["score"] == 0
    assert document["file_choice"]["left_out"] == PY


def test_a_single_file_has_no_choice(tmp_path):
    document = json.loads(run("check", str(REFERENCE), "--exercise", "stable_softmax", "--format", "json").stdout)
    assert document["file_choice"] is None


def test_the_gradebook_row_and_document_say_which_file_was_graded(tmp_path):
    submissions = tmp_path / "submissions"
    finished_py_and_autosaved_stub_notebook(submissions / "alice")
    out = tmp_path / "out"
    result = run("batch", str(submissions), "--out", str(out), "--seed", "7", "--timeout", "5", "--jobs", "1",
                 "--unconfined")
    assert result.exit_code == 0, result.output
    document = json.loads((out / "alice.json").read_text())
    assert document["score"] == document["max_score"] == 35
    assert document["file_choice"]["graded"] == PY and f"graded {PY}, not {IPYNB}" in document["batch"]["message"]
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert f"graded {PY}, not {IPYNB}: {STUB_REASON}" in row["message"]

    again = tmp_path / "again"
    run("batch", str(submissions), "--out", str(again), "--seed", "7", "--timeout", "5", "--jobs", "1",
        "--unconfined", "--prefer", "ipynb")
    assert json.loads((again / "alice.json").read_text())["file_choice"]["reason"] == "--prefer ipynb"


def test_bare_grade_and_list_in_a_project_say_which_file(tmp_path):
    root = make_project(tmp_path / "project", exercise_file=REFERENCE)
    stub_notebook(root / IPYNB)
    os.utime(root / PY, (1_000_000, 1_000_000))
    graded = grade_in(root, "--exercise", "stable_softmax")
    assert graded.exit_code == 0, graded.output
    assert f"Note: graded {PY}, not {IPYNB}" in graded.stdout
    listed = grade_in(root, "list")
    assert f"Note: graded {PY}, not {IPYNB}" in listed.stdout and "not implemented" not in listed.stdout
    assert grade_in(root, "list", "--prefer", "ipynb").stdout.count("not implemented") == 9


@pytest.mark.parametrize("command", [["check", "."], ["list"], ["watch"], ["batch", ".", "--out", "o"], []])
def test_every_choosing_command_has_prefer(command):
    options = CliRunner().invoke(main, [*command, "--help"]).output
    assert "--prefer [started|newest|py|ipynb]" in options


def test_prefer_before_a_subcommand_is_refused(tmp_path):
    result = grade_in(tmp_path, "--prefer", "py", "list")
    assert result.exit_code == 2 and "--prefer" in result.output
