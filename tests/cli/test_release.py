"""`grade release`: the student copy has no reference code, and `grade` in it grades like the project.

One release (with its own verification) is shared by the tests of this module; `grade` inside the
copy runs in a separate interpreter whose only grader is the copy's (PYTHONPATH = the copy).
"""
from __future__ import annotations

import ast
import dataclasses
import functools
import importlib.util
import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import grader.authoring.release
from grader.core.checks import Probe
from grader.cli.app import main
from grader.core.errors import UsageError
from grader.course.expectations import ProbeFunction, RecordingReference, ReplayReference, call_key, save_expectations
from grader.authoring.release import find_reference_code
from variants import MISTAKES, REFERENCE, STUB, build_submission

LESSON_DIR = Path("grader") / "lessons" / "softmax_cross_entropy"
EXERCISE_FILE = Path("exercises") / "softmax_cross_entropy.py"
HARD_CODED = ("stable_softmax", "softmax_with_temperature", "cross_entropy_from_logits", "cross_entropy_gradient",
              "per_position_cross_entropy", "sequence_mean_loss")

# Runs `grade` (cli.main) several times in one interpreter of the copy, so torch is imported once.
DRIVER = """
import contextlib, io, json, sys
import grader
from grader.cli.app import main
from grader.course.course import load_lesson
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(args=args, prog_name="grade")
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    results.append({"exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()})
reference = type(load_lesson().reference).__name__
json.dump({"grader": grader.__file__, "reference": reference, "results": results}, sys.__stdout__)
"""


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("release") / "student"
    result = CliRunner().invoke(main, ["release", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
    return out, result.stdout


def grade_in_copy(copy: Path, *invocations: list[str]) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(list(invocations))], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def without_submission(document: str) -> dict[str, Any]:
    parsed = json.loads(document)
    parsed.pop("submission")
    return parsed


# ---------------------------------------------------------------- what the copy holds

def _is_stub(function: ast.FunctionDef) -> bool:
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return (len(body) == 1 and isinstance(body[0], ast.Raise) and isinstance(body[0].exc, ast.Call)
            and getattr(body[0].exc.func, "id", None) == "NotImplementedError")


def test_the_copy_holds_the_students_files_and_no_reference_code(released, lesson):
    copy, output = released
    files = {str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file()}
    assert {"README.md", "pyproject.toml", ".gitignore", str(EXERCISE_FILE), "quizzes/softmax_cross_entropy.yaml",
            "grader/cli/app.py", str(LESSON_DIR / "released_expectations.json"),
            str(LESSON_DIR / "released_expectations.npz")} <= files
    assert not any(part in ("solutions", "tests", "docs", ".ci", "known_wrong", "__pycache__")
                   for f in files for part in Path(f).parts)
    assert (copy / EXERCISE_FILE).read_bytes() == STUB.read_bytes()
    assert find_reference_code(copy, lesson) == []
    # Independently of the release's own scan: no function of an exercise's name is anything but the stub,
    # and no statement of the reference's bodies appears anywhere.
    names = {e.name for e in lesson.exercises}
    reference_tree = ast.parse(REFERENCE.read_text())
    bodies = [ast.get_source_segment(REFERENCE.read_text(), statement)
              for function in reference_tree.body if isinstance(function, ast.FunctionDef)
              for statement in function.body[1:] if not isinstance(statement, ast.ImportFrom)]
    for path in copy.rglob("*.py"):
        text = path.read_text()
        for function in (n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.FunctionDef)):
            assert function.name not in names or _is_stub(function), f"{path}: {function.name}"
        leaked = [b for b in bodies if len(b) > 30 and b in text]
        assert not leaked, f"{path}: {leaked}"
    quiz = (copy / "quizzes" / "softmax_cross_entropy.yaml").read_text()
    assert "key:" in quiz and "answer:" not in quiz
    readme = (copy / "README.md").read_text()
    for command in ("## Quick start", "grade watch", "grade hint EXERCISE", "grade list", "grade check PATH", "grade quiz"):
        assert command in readme
    assert '"released_expectations.*", "*.stub"' in (copy / "pyproject.toml").read_text()
    assert f"✓ {len(MISTAKES)} known-wrong variants: each report equal to the project's" in output


@pytest.mark.e2e  # pip builds a wheel of the copy
@pytest.mark.skipif(importlib.util.find_spec("setuptools") is None, reason="building a wheel needs setuptools")
def test_a_wheel_of_the_copy_packages_what_grading_and_restore_read(released, tmp_path):
    """Installed without -e, the grader still finds the recorded answers and the pristine stubs: pip's own
    build of the copy must hold them."""
    import zipfile

    source = tmp_path / "source"
    shutil.copytree(released[0], source)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                            "-w", str(tmp_path / "wheels"), str(source)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    lesson = "grader/lessons/softmax_cross_entropy/"
    assert lesson + "softmax_cross_entropy.py.stub" in names
    assert any(n.startswith(lesson + "released_expectations.") for n in names), sorted(names)
    assert lesson + "lesson.yaml" in names


def test_the_copy_ships_no_known_wrong_code_and_no_instructor_command(released, lesson):
    """The known mistakes' predictions are recorded data in the copy, not code a student could read
    next to the stubs; the instructor's quiz-key command is not there to print the key."""
    copy, _ = released
    shipped = {p.name for p in (copy / LESSON_DIR).iterdir()}
    assert {"checks.py", "math.py", "__init__.py"} <= shipped
    assert not shipped & {"predictions.py", "wrong_forms.py", "known_wrong"}
    assert "PREDICTIONS" not in (copy / LESSON_DIR / "__init__.py").read_text()
    for path in (copy / "grader").rglob("*.py"):
        assert "def softmax_then_loss" not in path.read_text(), path
    assert not (copy / "grader" / "cli" / "quiz_key.py").exists()
    assert not (copy / "grader" / "authoring" / "quiz_key.py").exists()
    recorded = json.loads((copy / LESSON_DIR / "released_expectations.json").read_text())
    assert set(recorded["predicted"]) == set(lesson.predictions) and recorded["predictions"]
    done = grade_in_copy(copy, ["--help"], ["quiz-key", "show"])
    assert "quiz-key" not in done["results"][0]["stdout"]
    assert done["results"][1]["exit"] == 2 and "No such command 'quiz-key'" in done["results"][1]["stderr"]


# ---------------------------------------------------------------- grade inside the copy

@functools.lru_cache(maxsize=1)
def _stub() -> Any:
    spec = importlib.util.spec_from_file_location("stub_for_signatures", STUB)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _signature_values(function: str, case) -> list[Any]:
    """The call's argument values in the order of the function's parameters, defaults filled in."""
    bound = inspect.signature(getattr(_stub(), function)).bind(*case.args, **case.kwargs)
    bound.apply_defaults()
    return list(bound.arguments.values())


KEY_SOURCE = '''
import hashlib

import numpy as np


def _key(name, values):
    parts = [name]
    for value in values:
        if isinstance(value, np.ndarray):
            data = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
            parts.append(f"{value.dtype.str}{value.shape}{data}")
        else:
            parts.append(repr(value))
    return "|".join(parts)


def _lookup(name, *values):
    answer = TABLE.get(_key(name, values))
    if answer is None:
        raise LookupError("no recorded answer for these inputs")
    kind, shape, numbers = answer
    return float(numbers) if kind == "float" else np.array(numbers, dtype=float).reshape(shape)
'''


def hard_coded_submission(copy: Path, lesson, directory: Path) -> Path:
    """A "solution" that returns the released copy's recorded answers for the inputs it has seen."""
    namespace: dict[str, Any] = {}
    exec(KEY_SOURCE, namespace)
    replay = ReplayReference.load(copy / LESSON_DIR)
    table = {}
    for name in HARD_CODED:
        for check in lesson.exercise(name).checks:
            for case in check.cases(replay, 2026):
                if case.raises is None:
                    expect = np.asarray(case.expect, dtype=float)
                    answer = ("float", (), float(expect)) if expect.ndim == 0 else ("array", expect.shape, expect.ravel().tolist())
                    table[namespace["_key"](name, _signature_values(name, case))] = answer
    functions = [f"TABLE = {table!r}\n"]
    functions.append('''
def stable_softmax(logits, axis=-1):
    return _lookup("stable_softmax", logits, axis)


def softmax_with_temperature(logits, temperature, axis=-1):
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    return _lookup("softmax_with_temperature", logits, temperature, axis)


def cross_entropy_from_logits(logits, target_index):
    return _lookup("cross_entropy_from_logits", logits, target_index)


def cross_entropy_gradient(logits, target_index):
    return _lookup("cross_entropy_gradient", logits, target_index)


def per_position_cross_entropy(logits, targets):
    return _lookup("per_position_cross_entropy", logits, targets)


def sequence_mean_loss(logits, targets):
    return _lookup("sequence_mean_loss", logits, targets)
''')
    path = directory / "softmax_cross_entropy.py"
    path.write_text(KEY_SOURCE + "\n" + "".join(functions))
    return path


def untimed(document: dict) -> dict:
    """A JSON report without its exercises' timings, which differ from run to run."""
    for exercise in document["exercises"]:
        assert exercise.pop("seconds") >= 0
    return document


@pytest.mark.e2e  # grade run in the student copy as a process
def test_grade_in_the_copy_grades_like_the_project(released, lesson, tmp_path):
    copy, _ = released
    reference = tmp_path / "reference" / "softmax_cross_entropy.py"
    reference.parent.mkdir()
    shutil.copy(REFERENCE, reference)  # the real reference, brought in from outside the copy
    function, source = MISTAKES["gradient_sign_flipped"]
    (tmp_path / "bug").mkdir()
    buggy = build_submission(tmp_path / "bug", {function: source})
    (tmp_path / "hard").mkdir()
    hard = hard_coded_submission(copy, lesson, tmp_path / "hard")
    only = [arg for name in HARD_CODED for arg in ("--exercise", name)]

    ran = grade_in_copy(
        copy,
        ["--format", "json"],  # a bare `grade` inside the copy: its stubs
        ["check", str(reference), "--format", "json"],
        ["check", str(buggy), "--format", "json"],
        ["check", str(reference), "--seed", "7"],
        ["check", str(hard), "--format", "json", *only],
    )
    assert Path(ran["grader"]).resolve().is_relative_to(copy.resolve())
    assert ran["reference"] == "ReplayReference"
    stubs, full, bug, other_seed, hard_coded = ran["results"]

    assert stubs["exit"] == 1
    stubs_report = json.loads(stubs["stdout"])
    assert stubs_report["score"] == 0 and {e["status"] for e in stubs_report["exercises"]} == {"not_implemented"}

    assert full["exit"] == 0 and json.loads(full["stdout"])["score"] == 35

    assert bug["exit"] == 1
    project = CliRunner().invoke(main, ["check", str(buggy), "--format", "json"], catch_exceptions=False)
    assert untimed(json.loads(bug["stdout"])) == untimed(json.loads(project.stdout))  # the same JSON, path included
    gradient = next(e for e in json.loads(bug["stdout"])["exercises"] if e["name"] == "cross_entropy_gradient")
    assert {c["mistake"] for c in gradient["checks"]} == {"gradient_sign_flipped"}

    assert other_seed["exit"] == 2 and other_seed["stdout"] == ""
    assert other_seed["stderr"].splitlines() == [
        "Error: this student copy grades with seed 2026 only: its expected values were recorded at release "
        "(released_expectations.json); other seeds need the instructor's copy with solutions/"
    ]

    # Answers hard-coded from the released data pass in the copy (and at seed 2026 anywhere) ...
    assert hard_coded["exit"] == 0
    copied = json.loads(hard_coded["stdout"])
    assert copied["score"] == copied["max_score"] == 23
    # ... but the instructor's fresh seed catches them: the hidden checks' inputs change.
    fresh = CliRunner().invoke(main, ["check", str(hard), "--format", "json", "--seed", "99", *only],
                               catch_exceptions=False)
    assert fresh.exit_code == 1
    caught = json.loads(fresh.stdout)
    assert caught["score"] < 23 / 2
    failed = [c for e in caught["exercises"] for c in e["checks"] if not c["passed"]]
    assert failed and all(c["hidden"] for c in failed)  # the lesson's own numbers are the same at every seed


# ---------------------------------------------------------------- refusals

def test_release_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    result = CliRunner().invoke(main, ["release", str(tmp_path), "--no-verify"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"Error: {tmp_path}: not empty; give a new or empty folder for the student copy"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_release_refuses_a_copy_with_reference_code_and_writes_nothing(tmp_path, monkeypatch):
    copy_project = grader.authoring.release._copy_project
    tree = ast.parse(REFERENCE.read_text())
    gradient = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "cross_entropy_gradient")
    renamed = ast.get_source_segment(REFERENCE.read_text(), gradient).replace("def cross_entropy_gradient", "def helper")

    def leaky(lesson, staging: Path) -> None:
        copy_project(lesson, staging)
        (staging / "grader" / "helpers.py").write_text('"""Utilities."""\nimport numpy as np\n\n\n' + renamed)

    monkeypatch.setattr(grader.authoring.release, "_copy_project", leaky)
    out = tmp_path / "student"
    result = CliRunner().invoke(main, ["release", str(out), "--no-verify"], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"nothing was written to {out}" in result.stdout
    assert "grader/helpers.py: helper (line 5) is the reference's cross_entropy_gradient" in result.stdout
    assert list(tmp_path.iterdir()) == []  # no copy, no half-built folder


def test_find_reference_code_names_solutions_and_known_wrong_folders(tmp_path, lesson):
    (tmp_path / "solutions").mkdir()
    shutil.copy(REFERENCE, tmp_path / "solutions" / "softmax_cross_entropy.py")
    (tmp_path / "known_wrong").mkdir()
    problems = find_reference_code(tmp_path, lesson)
    assert "known_wrong/: must not be in the student copy" in problems
    assert "solutions/: must not be in the student copy" in problems
    assert "solutions/softmax_cross_entropy.py: contains the reference solution" in problems


# ---------------------------------------------------------------- recording and replaying the reference

class _Reference:
    """A stand-in reference module."""

    @staticmethod
    def double(x, scale=2.0):
        return np.asarray(x) * scale

    @staticmethod
    def total(x):
        return float(np.sum(x))

    @staticmethod
    def picky(x):
        raise ValueError("x must be positive")

    @staticmethod
    def apply(f, x):
        return float(f(x))


def test_call_keys_follow_the_values_not_the_objects():
    a = np.arange(6.0).reshape(2, 3)
    assert call_key("f", (a,), {"axis": 1}) == call_key("f", (a.copy(),), {"axis": np.int64(1)})
    assert call_key("f", (np.array([1, 2], np.int32),), {}) == call_key("f", (np.array([1, 2], np.int64),), {})
    assert call_key("f", (a,), {}) != call_key("f", (a.T,), {}) != call_key("g", (a,), {})
    assert call_key("f", (a,), {"axis": 1}) != call_key("f", (a, 1), {})
    assert call_key("f", (1.0,), {}) != call_key("f", (1.0 + 1e-16 * 3,), {})
    probe = Probe("curved", {"weights": np.ones(3), "scales": np.ones(3)})
    assert call_key("f", (ProbeFunction(probe),), {}) == call_key("f", (ProbeFunction(probe),), {})
    other = Probe("curved", {"weights": np.ones(3), "scales": np.full(3, 2.0)})
    assert call_key("f", (ProbeFunction(probe),), {}) != call_key("f", (ProbeFunction(other),), {})
    with pytest.raises(TypeError, match="never a lambda"):
        call_key("f", (lambda x: x,), {})


def test_recorded_answers_replay_bit_for_bit(tmp_path):
    recorder = RecordingReference(_Reference)
    x = np.random.default_rng(0).normal(size=(3, 4))
    doubled, total = recorder.double(x, scale=0.1), recorder.total(x)
    with pytest.raises(ValueError):
        recorder.picky(x)
    probe = ProbeFunction(Probe("cross_entropy", {"target_index": 1}))
    applied = recorder.apply(probe, np.array([3.0, 1.0, 0.0]))
    assert save_expectations(tmp_path, recorder, "demo", 2026) == 4
    replay = ReplayReference.load(tmp_path)
    again = replay.double(x.copy(), scale=0.1)
    assert again.dtype == doubled.dtype and again.tobytes() == doubled.tobytes()
    assert type(replay.total(x)) is float and replay.total(x) == total
    assert replay.apply(ProbeFunction(Probe("cross_entropy", {"target_index": 1})), np.array([3.0, 1.0, 0.0])) == applied
    with pytest.raises(ValueError, match="x must be positive"):
        replay.picky(x)
    with pytest.raises(UsageError, match="grades with seed 2026 only"):
        replay.double(x, scale=0.2)
    with pytest.raises(AttributeError):
        replay.never_called  # noqa: B018
    with np.load(tmp_path / "released_expectations.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype.kind in "biuf" for name in arrays.files)


def test_a_check_that_passes_a_lambda_to_the_reference_cannot_be_released(lesson):
    from grader.core.checks import Case, Check
    from grader.authoring.release import record_expectations

    def lambda_check(ref, rng):
        z = rng.normal(size=3)
        return Case((z,), "random logits", ref.finite_difference_gradient(lambda x: float(np.sum(x**2)), z))

    first = lesson.exercises[0]
    bad = dataclasses.replace(first, checks=(Check(first.name, "lambda_check", 1.0, True, lambda_check),))
    with pytest.raises(UsageError, match=r"check stable_softmax/lambda_check cannot be released: .*never a lambda"):
        record_expectations(dataclasses.replace(lesson, exercises=(bad,)))


def test_an_expected_gradient_the_grader_computes_is_recorded_as_one_answer():
    """The fixture's torch_attention has the grader differentiate the reference's attention (Case.value_of):
    the release records each case's gradient once, not the hundreds of calls its central differences make."""
    from grader.authoring.release import record_expectations
    from grader.course.course import Course

    lesson = Course.at(Path(__file__).resolve().parents[1] / "fixture_course_ml").lesson()
    recorder, _ = record_expectations(lesson)
    attention = [result for function, result in recorder.calls.values() if function == "attention"]
    gradients = [r for r in attention if type(r) is tuple and len(r) == 3 and all(isinstance(g, np.ndarray) for g in r)]
    torch_attention = next(e for e in lesson.exercises if e.name == "torch_attention")
    cases = [case for check in torch_attention.checks for case in check.cases(lesson.reference, 2026)]
    assert len(gradients) == len(cases) == 5
    assert len(attention) < 20  # the attention exercise's cases, the torch cases' values and their gradients
    for case in cases:  # the recorded gradient is the one the case holds, bit for bit
        assert any(all(np.array_equal(g[i], case.expect_grad[i]) for i in range(3)) for g in gradients)


# ---------------------------------------------------------------- the lesson as a notebook

_CHECK_IN_COPY = r"""
import importlib.util, json, sys
import grader
from grader.notebook.kernel import feedback
spec = importlib.util.spec_from_file_location("kernel_cells", sys.argv[1])
cells = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cells)
text = feedback("stable_softmax", "cross_entropy_gradient", namespace=vars(cells)).text
print(json.dumps({"grader": grader.__file__, "text": text}))
"""


def test_the_copy_ships_the_lesson_notebook_made_from_the_stubs(released, lesson, tmp_path):
    from grader.authoring.lesson_notebook import lesson_notebook_text

    copy, output = released
    notebook = copy / EXERCISE_FILE.with_suffix(".ipynb")
    assert notebook.read_text() == lesson_notebook_text(STUB.read_text(), lesson.title, lesson.name)
    assert notebook.stat().st_mtime_ns == (copy / EXERCISE_FILE).stat().st_mtime_ns  # a folder grades the .py
    assert "the stub notebook: 0/35, every exercise not implemented" in output
    # check() inside the copy: its own grader and recorded answers, in a service of its own.
    function, source = MISTAKES["gradient_sign_flipped"]
    cells = build_submission(tmp_path, {function: source})
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(copy), PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, "-c", _CHECK_IN_COPY, str(cells)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(result["grader"]).resolve().is_relative_to(copy.resolve())
    assert "✓ stable_softmax" in result["text"] and "✗ cross_entropy_gradient" in result["text"]
    assert "the gradient with its sign flipped" in result["text"].lower() or "y - p" in result["text"]


def test_find_reference_code_reads_notebooks(tmp_path, lesson):
    import nbformat
    from nbformat import v4

    notebook = v4.new_notebook()
    notebook.cells = [v4.new_code_cell("%matplotlib inline\n" + REFERENCE.read_text())]
    (tmp_path / "leak.ipynb").write_text(nbformat.writes(notebook))
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    problems = find_reference_code(tmp_path, lesson)
    # The cell's program moves the reference's __future__ import to the top: found function by function.
    leaks = [p for p in problems if p.startswith("leak.ipynb: ")]
    for name in ("stable_softmax", "cross_entropy_gradient", "torch_sequence_loss"):
        assert any(p.endswith(f"is the reference's {name}") for p in leaks), leaks
    assert any(p.startswith("broken.ipynb: is not a readable notebook") for p in problems)


def test_restore_puts_one_exercise_stub_back_in_the_copy_after_asking(released, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(released[0], copy)
    exercise = copy / EXERCISE_FILE
    stub_text = exercise.read_text()
    solved = stub_text.replace('    raise NotImplementedError("stable_softmax', '    return _mine(logits)  # my code\n    raise NotImplementedError("stable_softmax', 1)
    assert solved != stub_text
    exercise.write_text(solved + "\n\ndef _mine(x):\n    return x\n")
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PYTHONPATH": str(copy)}

    def restore(answer: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", "from grader.cli.app import main; main()", "restore", "stable_softmax"],
                              cwd=copy, env=env, input=answer, capture_output=True, text=True, timeout=120)

    ended = restore("")  # the end of input before an answer: no, in one line, never click's "Aborted!"
    assert ended.returncode == 1 and ended.stdout.rstrip().endswith("Nothing changed.") and "Abort" not in ended.stderr
    declined = restore("n\n")
    assert declined.returncode == 1 and "Nothing changed." in declined.stdout
    assert "Replace stable_softmax in exercises/softmax_cross_entropy.py (lines" in declined.stdout
    assert "# my code" in exercise.read_text()
    done = restore("y\n")
    assert done.returncode == 0, done.stderr
    assert "Restored the stub of stable_softmax" in done.stdout
    assert exercise.read_text() == stub_text + "\n\ndef _mine(x):\n    return x\n"  # the rest untouched
    again = restore("")  # already the stub: nothing to ask
    assert again.returncode == 0 and again.stdout == "stable_softmax in exercises/softmax_cross_entropy.py is already the stub: nothing to restore.\n"


def test_restore_in_the_instructor_project_says_where_the_stub_is(tmp_path, monkeypatch):
    from projects import make_project

    monkeypatch.chdir(make_project(tmp_path))
    result = CliRunner().invoke(main, ["restore", "stable_softmax"], input="y\n")
    assert result.exit_code == 2 and "grade restore works in a student copy" in result.stderr


def test_new_lesson_is_refused_in_the_student_copy(released, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(released[0], copy)
    before = sorted(str(p.relative_to(copy)) for p in copy.rglob("*"))
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"}, "PYTHONPATH": str(copy),
           "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", "from grader.cli.app import main; main()", "new-lesson", "extra"],
                          cwd=copy, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == "Error: grade new-lesson works in the instructor's course: this is a student copy (no solutions/)\n"
    assert sorted(str(p.relative_to(copy)) for p in copy.rglob("*")) == before
    assert ".grade-progress*.json" in (copy / ".gitignore").read_text().splitlines()


@pytest.mark.e2e  # pip installs the copy
def test_the_copy_installs_with_pip_install_dot_and_finds_its_quiz(released, tmp_path):
    """Issue 22, item 3: not only `pip install -e .`: a wheel of the copy (pip install ., pipx) finds the
    lesson's quiz and recorded answers, and grades a student folder outside the copy. No test extra ships."""
    from installs import build_wheel, copy_project, install_in_fresh_venv, run_installed
    from test_installed import student_folder

    copy, _ = released
    assert "test =" not in (copy / "pyproject.toml").read_text()
    assert (copy / "setup.py").is_file() and (copy / "MANIFEST.in").is_file()
    wheel = build_wheel(copy_project(copy, tmp_path / "project"), tmp_path / "dist")
    grade = install_in_fresh_venv(wheel, tmp_path / "venv")
    checked = run_installed(grade, student_folder(tmp_path / "student"), "check", ".", "--format", "json")
    assert checked.returncode == 0, checked.stderr
    document = json.loads(checked.stdout)
    assert document["score"] == document["max_score"] == 35 and document["quiz"]["passed"] is True


def test_batch_in_the_student_copy_refuses_at_once(released, tmp_path):
    """A copy grades at seed 2026 only and batch never grades at it: one clear line, exit 2, nothing written
    (it used to grade every submission as an error, each row saying the seed was refused)."""
    copy = released[0]
    submissions = tmp_path / "submissions"
    (submissions / "ada").mkdir(parents=True)
    shutil.copy(copy / EXERCISE_FILE, submissions / "ada" / EXERCISE_FILE.name)
    ran = grade_in_copy(copy, ["batch", str(submissions), "--out", str(tmp_path / "drawn")],
                         ["batch", str(submissions), "--out", str(tmp_path / "given"), "--seed", "7"])
    for result in ran["results"]:
        assert result["exit"] == 2 and result["stdout"] == ""
        assert result["stderr"] == ("Error: grade batch grades for credit at a seed other than the practice seed, and "
                                    "this student copy grades with seed 2026 only: run it in the instructor's project "
                                    "(with solutions/)\n")
    assert not (tmp_path / "drawn").exists() and not (tmp_path / "given").exists()


def test_in_the_copy_the_released_stub_s_annotation_is_the_promise_not_the_student_s(released, tmp_path):
    """A student who deletes ``-> np.ndarray`` from the file they edit still owes an np.ndarray: the promise is read
    from the stubs as released (kept for grade restore), so practice in the copy says what credit will say."""
    copy = tmp_path / "student"
    shutil.copytree(released[0], copy)
    working = copy / "exercises" / "softmax_cross_entropy.py"
    text = working.read_text()
    start = text.index("def stable_softmax(")
    end = text.index("\ndef ", start + 1)
    working.write_text(text[:start] + (
        "def stable_softmax(logits, axis=-1):\n"
        "    shifted = logits - logits.max(axis=axis, keepdims=True)\n"
        "    return (np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)).tolist()\n\n") + text[end:])
    [graded] = grade_in_copy(copy, ["--exercise", "stable_softmax", "--format", "json"])["results"]
    softmax = json.loads(graded["stdout"])["exercises"][0]
    assert softmax["status"] == "failed"
    assert any("returned a list, not a NumPy array" in c["message"] for c in softmax["checks"])
