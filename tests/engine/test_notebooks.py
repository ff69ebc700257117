"""Notebooks: graded as the module of their code cells, the lesson as a notebook, check() in a kernel."""
from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from click.testing import CliRunner, Result
from nbformat import v4

from grader.cli.app import main
from grader.engine.grading import GradeOptions, grade_submission
from grader.core.model import ExerciseStatus
from grader.notebook.kernel import feedback, kernel_source
from grader.authoring.lesson_notebook import CHECK_ALL_CELL, lesson_notebook_text
from grader.core.notebook_program import MAX_NOTEBOOK_BYTES, notebook_program
from grader.authoring.release import _shape
from grader.render.json_report import report_dict
from grader.render.text import render_text
from grader.sandbox.runner import Limits
from variants import MISTAKES, REFERENCE, STUB, build_submission

TITLE = "Softmax, Cross-Entropy & Optimization"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_notebook(path: Path, cells: list[Any], **metadata: Any) -> Path:
    notebook = v4.new_notebook()
    notebook.metadata.update(metadata or {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                         "language": "python"}})
    notebook.cells = [v4.new_code_cell(c) if isinstance(c, str) else c for c in cells]
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    return path


def notebook_of(source_file: Path, path: Path) -> Path:
    """The lesson notebook made from a .py file, as a student who completed it would have it."""
    path.write_text(lesson_notebook_text(source_file.read_text(encoding="utf-8"), TITLE, "softmax_cross_entropy"), encoding="utf-8")
    return path


def comparable(report: Any) -> dict[str, Any]:
    """The report as JSON, without what differs between two runs of the same code (path, timings)."""
    document = report_dict(report)
    document.pop("submission")
    for exercise in document["exercises"]:
        exercise.pop("seconds", None)
    return document


def options(*exercises: str, timeout: float = 10.0) -> GradeOptions:
    return GradeOptions(seed=2026, limits=Limits(timeout=timeout), exercises=exercises)


# --- grading a saved notebook ------------------------------------------------------------------------


def test_a_notebook_scores_exactly_as_the_py_file_with_the_same_code(tmp_path, lesson):
    function, source = MISTAKES["gradient_sign_flipped"]
    buggy = build_submission(tmp_path, {function: source}, name="buggy.py")
    for python in (REFERENCE, buggy):
        notebook = notebook_of(python, tmp_path / f"{python.stem}.ipynb")
        as_py, as_notebook = (grade_submission(p, lesson, options()) for p in (python, notebook))
        assert comparable(as_notebook) == comparable(as_py)
    assert as_notebook.score < as_notebook.max_score  # the buggy one: the comparison is not of two full marks


def test_ipython_syntax_is_not_run_and_is_noted(tmp_path, lesson):
    marker = tmp_path / "ran"
    path = write_notebook(tmp_path / "work.ipynb", [
        "%matplotlib inline\n%load_ext autoreload",
        f"!touch {marker}\nfiles = !ls\nimport numpy as np\nnp.exp?",
        f"%%bash\ntouch {marker}",
        REFERENCE.read_text(encoding="utf-8"),
        "for _ in range(1):\n    %time np.ones(3)",
    ])
    report = grade_submission(path, lesson, options("stable_softmax", "cross_entropy_gradient"))
    assert report.score == report.max_score
    assert not marker.exists()
    assert len(report.notes) == 7
    assert "cell 1, line 1: IPython syntax not run: %matplotlib inline" in report.notes
    assert any(note.startswith("cell 3: an IPython cell magic (%%bash)") for note in report.notes)
    assert "Left out of grading:" in render_text(report)


def test_errors_point_at_the_cell_and_its_line(tmp_path, lesson):
    path = write_notebook(tmp_path / "work.ipynb", [
        v4.new_markdown_cell("# my work"),
        REFERENCE.read_text(encoding="utf-8"),
        "def stable_softmax(logits, axis=-1):\n    shifted = logits\n    return shifted[undefined_name]\n",
    ])
    report = grade_submission(path, lesson, options("stable_softmax"))
    message = report.exercises[0].checks[0].message
    assert "NameError" in message and "(cell 3, line 3: return shifted[undefined_name])" in message


def test_a_syntax_error_is_reported_once_by_cell(tmp_path, lesson):
    path = write_notebook(tmp_path / "work.ipynb", ["import numpy as np", "x = 1\ndef broken(:\n    pass"])
    report = grade_submission(path, lesson, options())
    assert report.import_error is not None and "(cell 2, line 2: def broken(:)" in report.import_error


def test_a_future_import_in_a_later_cell_still_imports(tmp_path, lesson):
    reference = REFERENCE.read_text(encoding="utf-8")
    assert "from __future__ import annotations" in reference
    path = write_notebook(tmp_path / "work.ipynb", ["%matplotlib inline", reference])
    report = grade_submission(path, lesson, options("stable_softmax"))
    assert report.score == report.max_score


def test_practice_checks_in_the_notebook_are_not_run_when_grading(tmp_path, lesson):
    path = write_notebook(tmp_path / "work.ipynb", [
        REFERENCE.read_text(encoding="utf-8"), "from grader.notebook import check\ncheck(\n    'stable_softmax')",
    ])
    program = notebook_program(path.read_bytes())
    assert b"check(" not in program.source and b"grader.notebook" not in program.source
    assert grade_submission(path, lesson, options("stable_softmax")).score == 5


@pytest.mark.parametrize("content, expected", [
    (b'{"cells": [{"cell_type": "code", "source": "x = 1"', "JSON is malformed or cut short"),
    (b"def stable_softmax(): pass\n", "JSON is malformed or cut short"),
    (b'{"cells": [], "metadata": {}, "nbformat": 4}', "not a valid notebook"),
    (b"[1, 2, 3]", "not a valid notebook"),
    (b"\xff\xfe\x00", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON is malformed or cut short"),
])
def test_a_malformed_notebook_is_a_graded_error(tmp_path, lesson, content, expected):
    path = tmp_path / "work.ipynb"
    path.write_bytes(content)
    report = grade_submission(path, lesson, options())
    assert report.score == 0
    assert {e.status for e in report.exercises} == {ExerciseStatus.ERROR}
    assert all(expected in c.message and "work.ipynb" in c.message for e in report.exercises for c in e.checks)
    result = run("check", str(path))
    assert result.exit_code == 1 and expected in result.stdout and "Traceback" not in result.output


def test_a_notebook_of_another_language_is_refused(tmp_path, lesson):
    path = write_notebook(tmp_path / "work.ipynb", ["x <- 1"], kernelspec={"name": "ir", "display_name": "R",
                                                                           "language": "R"})
    report = grade_submission(path, lesson, options("stable_softmax"))
    assert "is a R notebook" in report.exercises[0].checks[0].message


def test_a_cell_that_loops_forever_runs_under_the_import_limits(tmp_path, lesson):
    reference = REFERENCE.read_text(encoding="utf-8")
    looping = write_notebook(tmp_path / "loops.ipynb", [reference, "while True:\n    pass"])
    report = grade_submission(looping, lesson, options("stable_softmax", timeout=1))
    assert report.exercises[0].status is ExerciseStatus.TIMEOUT
    guarded = write_notebook(tmp_path / "guarded.ipynb", [reference, 'if __name__ == "__main__":\n    while True:\n        pass'])
    assert grade_submission(guarded, lesson, options("stable_softmax", timeout=1)).score == 5


def test_cell_outputs_are_never_read_and_a_huge_one_is_fine(tmp_path, lesson):
    claim = "✓ stable_softmax 5/5\nTotal: 35/35 points\n" * 100_000  # about 3.7 MB of fake results
    cell = v4.new_code_cell(STUB.read_text(encoding="utf-8"), outputs=[v4.new_output("stream", name="stdout", text=claim)])
    path = write_notebook(tmp_path / "work.ipynb", [cell])
    assert 3_000_000 < path.stat().st_size < MAX_NOTEBOOK_BYTES
    report = grade_submission(path, lesson, options())
    assert report.score == 0 and {e.status for e in report.exercises} == {ExerciseStatus.NOT_IMPLEMENTED}


def test_a_notebook_over_the_size_bound_is_refused_without_parsing(tmp_path, lesson):
    cell = v4.new_code_cell("x = 1", outputs=[v4.new_output("stream", name="stdout", text="y" * MAX_NOTEBOOK_BYTES)])
    path = write_notebook(tmp_path / "work.ipynb", [cell])
    report = grade_submission(path, lesson, options("stable_softmax"))
    assert f"over the {MAX_NOTEBOOK_BYTES} allowed" in report.exercises[0].checks[0].message


def test_a_linked_notebook_is_refused(tmp_path, lesson):
    target = notebook_of(REFERENCE, tmp_path / "real.ipynb")
    (tmp_path / "work.ipynb").symlink_to(target)
    report = grade_submission(tmp_path / "work.ipynb", lesson, options("stable_softmax"))
    assert report.score == 0 and "symbolic link" in report.exercises[0].checks[0].message


def test_grade_check_accepts_a_notebook_and_the_json_is_the_same_contract(tmp_path):
    notebook = notebook_of(REFERENCE, tmp_path / "work.ipynb")
    result = run("check", str(notebook), "--format", "json", "--exercise", "stable_softmax")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    python = json.loads(run("check", str(REFERENCE), "--format", "json", "--exercise", "stable_softmax").stdout)
    assert set(document) == set(python) and document["score"] == python["score"] == 5


def test_a_folder_with_both_files_grades_the_one_saved_last_with_prefer_newest(tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    python = build_submission(folder, {})
    notebook = write_notebook(folder / "softmax_cross_entropy.ipynb", [STUB.read_text(encoding="utf-8")])
    os.utime(python, (1_000_000, 1_000_000))
    result = run("check", str(folder), "--exercise", "stable_softmax", "--prefer", "newest")
    assert result.exit_code == 1 and "Grading " in result.stdout and "softmax_cross_entropy.ipynb\n" in result.stdout
    result = run("check", str(folder), "--exercise", "stable_softmax")  # by default, not the untouched stub
    assert result.exit_code == 0 and "graded softmax_cross_entropy.py, not softmax_cross_entropy.ipynb" in result.stdout
    os.utime(notebook, (500_000, 500_000))
    result = run("check", str(folder), "--exercise", "stable_softmax", "--prefer", "newest")
    assert result.exit_code == 0 and "softmax_cross_entropy.py" in result.stdout


def test_batch_grades_a_mix_of_notebooks_and_python_files(tmp_path):
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    notebook_of(REFERENCE, submissions / "alice.ipynb")
    build_submission(submissions, {}, name="bob.py")
    (submissions / "carol" / "exercises").mkdir(parents=True)
    function, source = MISTAKES["gradient_sign_flipped"]
    notebook_of(build_submission(tmp_path, {function: source}), submissions / "carol" / "exercises" / "softmax_cross_entropy.ipynb")
    (submissions / "dave.ipynb").write_text('{"cells": [', encoding="utf-8")
    out = tmp_path / "out"
    result = run("batch", str(submissions), "--out", str(out), "--seed", "7", "--timeout", "5", "--jobs", "2")
    assert result.exit_code == 0, result.output
    documents = {name: json.loads((out / f"{name}.json").read_text()) for name in ("alice", "bob", "carol", "dave")}
    assert documents["alice"]["score"] == documents["bob"]["score"] == 35
    assert documents["carol"]["batch"]["status"] == "graded" and documents["carol"]["score"] < 35
    assert documents["dave"]["batch"]["status"] == "error" and "malformed or cut short" in documents["dave"]["batch"]["message"]
    assert (out / "gradebook.csv").read_text().count("\n") == 5  # a header and one row each


# --- the lesson as a notebook ------------------------------------------------------------------------


def _functions(source: str) -> dict[str, str]:
    return {n.name: _shape(n) for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}


def test_the_lesson_notebook_is_the_stubs_cell_by_cell(tmp_path, lesson):
    stub_text = STUB.read_text(encoding="utf-8")
    text = lesson_notebook_text(stub_text, lesson.title, lesson.name)
    assert text == lesson_notebook_text(stub_text, lesson.title, lesson.name)  # deterministic: releases do not churn
    notebook = nbformat.reads(text, as_version=4)
    nbformat.validate(notebook)
    code = [c.source for c in notebook.cells if c.cell_type == "code"]
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    stub_functions = _functions(stub_text)
    assert [name for cell in code for name in _functions(cell)] == list(stub_functions)
    assert all(len(_functions(cell)) <= 1 for cell in code)  # one stub per code cell
    assert _functions("\n\n".join(code[:-1])) == stub_functions
    for name in stub_functions:
        doc = ast.get_docstring(next(n for n in ast.parse(stub_text).body if getattr(n, "name", "") == name))
        assert doc is not None and doc.splitlines()[0] in markdown and doc.splitlines()[0] not in "".join(code)
    assert code[-1] == CHECK_ALL_CELL and "practice only" in markdown.lower()
    path = tmp_path / "lesson.ipynb"
    path.write_text(text, encoding="utf-8")
    report = grade_submission(path, lesson, options())
    assert report.score == 0 and {e.status for e in report.exercises} == {ExerciseStatus.NOT_IMPLEMENTED}
    assert report.notes == ()


# --- check() in a kernel -------------------------------------------------------------------------------

KERNEL_CODE = '''
import numpy as np
from collections.abc import Callable
import numpy.linalg as la
SCALE = 1.0
def _helper(x):
    return x
table = np.zeros(3)
double = lambda x: 2 * x

def stable_softmax(logits, axis=-1):
    e = np.exp((logits - np.max(logits, axis=axis, keepdims=True)) * SCALE)
    return e / e.sum(axis=axis, keepdims=True)

def cross_entropy_gradient(logits, target_index):
    return table[0] + double(logits)
'''


@pytest.fixture
def kernel_namespace(tmp_path) -> dict[str, Any]:
    """A kernel's globals: functions whose source inspect can read (as IPython makes it readable)."""
    path = tmp_path / "kernel_cells.py"
    path.write_text(KERNEL_CODE, encoding="utf-8")
    namespace: dict[str, Any] = {"__name__": "__main__", "In": [], "Out": {}, "_i1": "x", "_": 3, "_oh": {}}
    exec(compile(KERNEL_CODE, str(path), "exec"), namespace)
    return namespace


def test_the_kernel_source_is_what_the_notebook_defines_now(kernel_namespace):
    gathered = kernel_source(kernel_namespace)
    assert "import numpy as np\n" in gathered.source and "import numpy.linalg as la\n" in gathered.source
    assert "from collections.abc import Callable\n" in gathered.source and "SCALE = 1.0\n" in gathered.source
    assert "def stable_softmax" in gathered.source and "def _helper" in gathered.source and "_i1" not in gathered.source
    assert "_oh" not in gathered.source and "\n_ =" not in gathered.source and "In =" not in gathered.source
    assert any(n.startswith("table (a ndarray) is not sent") for n in gathered.notes)
    assert any(n.startswith("double is another name") for n in gathered.notes)
    line = gathered.source.splitlines().index("    return table[0] + double(logits)") + 1
    assert gathered.origins[line - 1] == "line 2 of cross_entropy_gradient"


def test_check_grades_the_kernel_definitions_like_grade_check(kernel_namespace, tmp_path, lesson):
    result = feedback("stable_softmax", "cross_entropy_gradient", namespace=kernel_namespace)
    assert "Practice only" in result.text and "Practice only" in result._repr_html_()
    assert "✓ stable_softmax" in result.text and "5/5" in result.text
    assert "(line 2 of cross_entropy_gradient: return table[0] + double(logits))" in result.text
    assert "<table>" in result.html and "cross_entropy_gradient" in result.html
    # The same hidden-check messages as the command line gives for the same function in a file.
    function, source = MISTAKES["gradient_sign_flipped"]
    kernel_namespace.pop("cross_entropy_gradient")
    (tmp_path / "later_cell.py").write_text(textwrap.dedent(source), encoding="utf-8")
    exec(compile(textwrap.dedent(source), str(tmp_path / "later_cell.py"), "exec"), kernel_namespace)
    practice = feedback(function, namespace=kernel_namespace).text
    file = build_submission(tmp_path, {function: source})
    command_line = render_text(grade_submission(file, lesson, options(function)), include_lesson=False)
    hidden = [line for line in command_line.splitlines() if "(hidden)" in line or line.startswith("      ")]
    assert hidden and all(line in practice.splitlines() for line in hidden)


CONSTANT_CELLS = [
    "import numpy as np\nimport torch\nfrom torch import nn\n",
    "LOSS = nn.CrossEntropyLoss()  # a module-level constant with no literal form\nONE = np.float32(1.0)\n",
    "def torch_classification_loss(logits, targets):\n    return LOSS(logits, targets)\n\n"
    "def torch_sequence_loss(logits, targets):\n    return LOSS(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))\n",
    "def finite_difference_gradient(f, x, epsilon=1e-5):\n    point = np.array(x, dtype=float)\n"
    "    gradient = np.zeros_like(point)\n    for index in np.ndindex(point.shape):\n"
    "        original = point[index]\n        point[index] = original + epsilon\n        above = float(f(point))\n"
    "        point[index] = original - epsilon\n        below = float(f(point))\n        point[index] = original\n"
    "        gradient[index] = (above - below) / (2 * epsilon)\n    return gradient * float(ONE)\n",
]


def test_check_agrees_with_grade_check_when_functions_use_a_module_level_constant(tmp_path, lesson):
    """Issue 22: check() in the notebook failed every torch check with NameError (LOSS was not sent), while
    grade check of the saved notebook, which runs every top-level statement, passed them."""
    exercises = ("torch_classification_loss", "torch_sequence_loss", "finite_difference_gradient")
    saved = grade_submission(write_notebook(tmp_path / "work.ipynb", CONSTANT_CELLS), lesson, options(*exercises))
    assert [e.status for e in saved.exercises] == [ExerciseStatus.PASSED] * 3
    namespace: dict[str, Any] = {"__name__": "__main__", "In": ["", *CONSTANT_CELLS], "Out": {}}
    for number, cell in enumerate(CONSTANT_CELLS, 1):  # IPython keeps each cell's source for inspect
        path = tmp_path / f"cell{number}.py"
        path.write_text(cell, encoding="utf-8")
        exec(compile(cell, str(path), "exec"), namespace)
    gathered = kernel_source(namespace, exercises)
    assert "LOSS = nn.CrossEntropyLoss()" in gathered.source and gathered.notes == ()
    practice = feedback(*exercises, namespace=namespace).text
    assert "NameError" not in practice
    assert all(f"✓ {name}" in practice for name in exercises), practice


def test_check_with_an_unknown_exercise_says_so(kernel_namespace):
    assert "unknown exercise 'softmax'" in feedback("softmax", namespace=kernel_namespace).text


_KERNEL_SCRIPT = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1])
import kernel_cells
from grader.notebook import check
from grader.notebook.kernel import feedback
times = []
for _ in range(3):
    started = time.perf_counter()
    text = feedback("stable_softmax", namespace=vars(kernel_cells)).text
    times.append(time.perf_counter() - started)
check("stable_softmax", namespace=vars(kernel_cells))
secret = [m for m in sys.modules if m.startswith(("grade_reference", "grader.course.lesson", "grader.course.expectations",
                                                   "grader.engine.verify", "grader.lessons", "solutions"))]
print(json.dumps({"times": times, "secret": secret, "text": text}))
'''


def test_check_keeps_the_reference_out_of_the_kernel_and_is_quick_once_started(tmp_path):
    (tmp_path / "kernel_cells.py").write_text(KERNEL_CODE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-c", _KERNEL_SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          env=env, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    printed, last = done.stdout.rsplit("\n", 2)[0], json.loads(done.stdout.strip().splitlines()[-1])
    assert "✓ stable_softmax" in last["text"] and "✓ stable_softmax" in printed  # check() printed its report
    assert last["secret"] == []
    print("in-kernel check seconds (first includes starting the service):", [round(t, 3) for t in last["times"]])
    assert max(last["times"][1:]) < 2.0  # the service is kept: no torch import per check


def test_a_real_kernel_runs_the_lesson_notebook_and_shows_html(tmp_path):
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    text = lesson_notebook_text(REFERENCE.read_text(encoding="utf-8"), TITLE, "softmax_cross_entropy")
    notebook = nbformat.reads(text, as_version=4)
    notebook.cells.append(v4.new_code_cell('check("stable_softmax")'))
    client = nbclient.NotebookClient(notebook, timeout=240, kernel_name="python3",
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    outputs = notebook.cells[-1].outputs
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "Practice only" in html and "stable_softmax" in html and "5/5" in html
    everything = "".join(o.get("data", {}).get("text/html", "") for o in notebook.cells[-2].outputs)
    assert "Total: 35/35 points</strong>" in everything


def test_a_notebook_of_too_many_cells_is_refused_quickly(tmp_path, lesson):
    from grader.core.notebook_program import MAX_CELLS

    path = write_notebook(tmp_path / "work.ipynb", [f"x = {i}" for i in range(MAX_CELLS + 1)])
    started = time.monotonic()
    report = grade_submission(path, lesson, options("stable_softmax"))
    assert f"has {MAX_CELLS + 1} cells, over the {MAX_CELLS} allowed" in report.exercises[0].checks[0].message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("make, expected", [
    (lambda d: d / "absent.ipynb", "no such file or directory"),
    (lambda d: d, "no softmax_cross_entropy.py at its root or under exercises/"),
])
def test_bad_paths_exit_2_with_one_line(tmp_path, make, expected):
    result = run("check", str(make(tmp_path)))
    assert result.exit_code == 2 and expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_the_body_of_a_time_or_capture_cell_is_graded_and_lines_stay_exact(tmp_path, lesson):
    reference = REFERENCE.read_text(encoding="utf-8")
    path = write_notebook(tmp_path / "work.ipynb", [
        reference.replace("def stable_softmax(", "def _unused_softmax("),
        "%%time\nimport numpy as np\n%ls\ndef stable_softmax(logits, axis=-1):\n    return logits[undefined_name]\n",
        "%%capture\n%%bash\nrm -rf /",
    ])
    report = grade_submission(path, lesson, options("stable_softmax"))
    assert "(cell 2, line 5: return logits[undefined_name])" in report.exercises[0].checks[0].message
    assert report.notes == ("cell 2, line 1: %%time: the magic is not run, the code below it is",
                            "cell 2, line 3: IPython syntax not run: %ls",
                            "cell 3, line 1: %%capture: the magic is not run, the code below it is",
                            "cell 3: an IPython cell magic (%%bash): cell not run")


@pytest.mark.parametrize("source, expected", [
    ("x = '\ud800'\n", "cell 1 holds text that is not valid Unicode"),
    ("if 1:\n" + "".join(" " * i + "if 1:\n" for i in range(1, 300)) + " " * 300 + "pass\n",
     "IndentationError: too many levels of indentation (cell 1, line 101: if 1:)"),
    ("x = " + "(" * 5000 + ")" * 5000, "SyntaxError: too many nested parentheses (cell 1, line 1: "),
])
def test_odd_code_cells_are_graded_errors_not_grader_crashes(tmp_path, lesson, source, expected):
    cell = {"cell_type": "code", "source": source, "metadata": {}, "outputs": [], "execution_count": None}
    path = tmp_path / "work.ipynb"
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))
    report = grade_submission(path, lesson, options("stable_softmax"))
    message = report.exercises[0].checks[0].message
    assert report.score == 0 and expected in message and "submission.py" not in message


FIXTURE_COURSE = Path(__file__).resolve().parents[1] / "fixture_course"

_COURSE_SCRIPT = r'''
import importlib.util, json, sys
from grader.notebook.kernel import feedback
spec = importlib.util.spec_from_file_location("kernel_cells", sys.argv[1])
cells = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cells)
print(json.dumps([feedback(namespace=vars(cells), lesson=name).text for name in ("tiny_stats", "nope")]))
'''


def test_notebooks_of_another_course_lesson(tmp_path):
    solution = FIXTURE_COURSE / "solutions" / "tiny_stats.py"
    notebook = tmp_path / "tiny_stats.ipynb"
    notebook.write_text(lesson_notebook_text(solution.read_text(encoding="utf-8"), "Tiny statistics", "tiny_stats"))
    # The practice note names this lesson's first exercise and notebook: every lesson's used to tell students to
    # run check("stable_softmax") and grade softmax_cross_entropy.ipynb, the shipped lesson's.
    note = nbformat.reads(notebook.read_text(), as_version=4).cells[1].source
    assert 'check("scale")' in note and "`grade check tiny_stats.ipynb`" in note and "softmax" not in note
    result = run("--course", str(FIXTURE_COURSE), "check", str(notebook))
    assert result.exit_code == 0, result.output
    env = {**os.environ, "GRADE_COURSE": str(FIXTURE_COURSE), "PYTHONPATH": str(PROJECT_ROOT)}
    done = subprocess.run([sys.executable, "-c", _COURSE_SCRIPT, str(solution)], capture_output=True, text=True,
                          env=env, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    graded, unknown = json.loads(done.stdout.strip().splitlines()[-1])
    assert "✓ scale" in graded and "✓ center" in graded
    assert unknown.startswith("check() could not grade: ") and "nope" in unknown


_HERE_SCRIPT = r'''
import importlib.util, json, sys
from grader.notebook.kernel import feedback
spec = importlib.util.spec_from_file_location("kernel_cells", sys.argv[1])
cells = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cells)
print(json.dumps(feedback(namespace=vars(cells)).text))
'''


def test_check_grades_against_the_course_around_the_notebook():
    """Jupyter starts a kernel in its notebook's folder: a notebook inside a course is checked against that
    course's lesson, with no --course and no $GRADE_COURSE, as `grade` run in that folder would."""
    solution = FIXTURE_COURSE / "solutions" / "tiny_stats.py"
    env = {k: v for k, v in os.environ.items() if k != "GRADE_COURSE"}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    done = subprocess.run([sys.executable, "-c", _HERE_SCRIPT, str(solution)], capture_output=True, text=True,
                          env=env, timeout=300, cwd=FIXTURE_COURSE / "exercises")
    assert done.returncode == 0, done.stderr
    graded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "✓ scale" in graded and "✓ center" in graded, graded


def test_display_calls_work_as_in_jupyter_and_show_nothing(tmp_path, lesson):
    path = write_notebook(tmp_path / "work.ipynb", [
        REFERENCE.read_text(encoding="utf-8"),
        "display(stable_softmax(np.array([3.0, 1.0, 0.0])))",
        "def stable_softmax(logits, axis=-1):\n    return logits[undefined_name]",
    ])
    report = grade_submission(path, lesson, options("stable_softmax"))
    assert "(cell 3, line 2: return logits[undefined_name])" in report.exercises[0].checks[0].message
    defined = write_notebook(tmp_path / "defined.ipynb", [REFERENCE.read_text(encoding="utf-8"),
                                                         "def display(x):\n    raise SystemExit('mine')", "display(1)"])
    assert grade_submission(defined, lesson, options("stable_softmax")).import_error is not None


# --- the project's own commands follow the file the student works in ---------------------------------


def test_bare_grade_and_list_grade_the_notebook_when_it_was_saved_last(tmp_path):
    from projects import grade_in, make_project

    root = make_project(tmp_path / "project")  # exercises/softmax_cross_entropy.py: the stubs
    notebook = notebook_of(REFERENCE, root / "exercises" / "softmax_cross_entropy.ipynb")
    stub = root / "exercises" / "softmax_cross_entropy.py"
    os.utime(stub, (time.time() - 60, time.time() - 60))  # the notebook is the one worked in
    graded = grade_in(root, "--format", "json")
    document = json.loads(graded.stdout)
    assert document["submission"].endswith("softmax_cross_entropy.ipynb")
    assert document["score"] == document["max_score"]
    listed = grade_in(root, "list")
    assert "exercises/softmax_cross_entropy.ipynb" in listed.stdout
    assert "not implemented" not in listed.stdout

    os.utime(notebook, (time.time() - 120, time.time() - 120))  # now the .py file was saved last, but is the stub
    document = json.loads(grade_in(root, "--format", "json").stdout)
    assert document["submission"].endswith("softmax_cross_entropy.ipynb") and document["score"] == 35
    document = json.loads(grade_in(root, "--format", "json", "--prefer", "newest").stdout)
    assert document["submission"].endswith("softmax_cross_entropy.py") and document["score"] == 0


def test_a_notebook_saved_with_a_byte_order_mark_and_windows_line_ends_is_graded(tmp_path, lesson):
    plain = notebook_of(REFERENCE, tmp_path / "plain.ipynb")
    windows = tmp_path / "windows" / "work.ipynb"
    windows.parent.mkdir()
    windows.write_bytes(b"\xef\xbb\xbf" + plain.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8"))
    graded = grade_submission(windows, lesson, options())
    assert graded.score == graded.max_score
    assert comparable(graded) == comparable(grade_submission(plain, lesson, options()))


def test_a_practice_check_below_a_magic_in_the_same_cell_is_not_run(tmp_path, lesson):
    reference = REFERENCE.read_text(encoding="utf-8")
    cells = [reference, "%matplotlib inline\nfrom grader.notebook import check\ncheck(\"stable_softmax\")\n"]
    report = grade_submission(write_notebook(tmp_path / "work.ipynb", cells), lesson, options())
    assert report.score == report.max_score  # importing grader in the sandbox would have failed every exercise


def test_big_cells_are_read_line_by_line_and_parsing_stays_bounded(tmp_path, lesson, monkeypatch):
    """ast costs up to ~1 GiB per MiB of dense code on the trusted side: beyond a cell of MAX_PARSED_CELL
    bytes or MAX_PARSED_TOTAL in all, cells are read line by line, and their practice checks and
    __future__ imports are still found. Counted: the bytes given to ast.parse."""
    import ast

    from grader.core import notebook_program as notebook_program_module

    parsed: list[int] = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *a, **k: parsed.append(len(source)) or real(source, *a, **k))
    dense = "a = 1; b = a + 1; c = (a, b, [a, b]); d = {a: b}\n" * (notebook_program_module.MAX_PARSED_CELL // 40)
    big_cell = ("from __future__ import annotations\n" + REFERENCE.read_text(encoding="utf-8") + dense
                + "from grader.notebook import check\ncheck('stable_softmax')\n")
    cells = [big_cell] + [dense] * 8
    report = grade_submission(write_notebook(tmp_path / "work.ipynb", cells), lesson, options())
    assert report.score == report.max_score
    assert sum(parsed) <= notebook_program_module.MAX_PARSED_TOTAL


def test_a_function_typed_at_the_plain_python_prompt_is_said_to_have_no_source():
    """The plain REPL keeps no source (inspect cannot find it): the check says so for the function checked,
    instead of calling it missing."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    exec(compile("def stable_softmax(logits, axis=-1):\n    return logits\n", "<stdin>", "exec"), namespace)
    gathered = kernel_source(namespace, ["stable_softmax"])
    assert "def stable_softmax" not in gathered.source
    assert any(note.startswith("stable_softmax: its source cannot be found (a function typed at the plain Python "
                               "prompt has none") for note in gathered.notes), gathered.notes
    assert kernel_source(namespace).notes == ()  # not asked for, not used: no note
