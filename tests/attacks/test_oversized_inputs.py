"""Oversized inputs (red-team findings, second round, branch ``redteam2``; was tests/test_redteam2.py): attacks a student can mount with nothing but
the files they hand in, beyond tests/attacks/test_hostile.py, tests/attacks/test_submission_reading.py and
tests/attacks/test_resource_exhaustion.py (was tests/test_redteam.py).

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

from grader.cli.app import main
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
    from grader.core.compare import show

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

    from grader.core.notebook_program import MAX_JSON_VALUES, _json_values

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
    assert _json_values(json.dumps({"a": 'x\\",{[', "b": ["\\", "\\\\", 1]}).encode()) == 5


def test_counting_a_notebooks_json_values_never_rescans_the_file():
    """The count itself must be linear. A first version removed strings with ``"(?:[^"\\]|\\.)*"``,
    which fails on an unterminated string and then retries from every later quote: ``"`` followed by
    ``\\"`` pairs took 22 s for 16,000 of them, and an 8 MiB file would have held the grader for days.
    Run apart, with a time limit hours short of what a rescan would need: this checks that it ends."""
    import subprocess
    import sys

    program = ("from grader.core.notebook_program import _json_values\n"
               "for data in (b'\"' + b'\\\\\"' * 4_000_000, b'\"' + b'\\\\' * 8_000_001, b'[\"\\\\\",' * 2_000_000,\n"
               "             b'{\"a\": \"' + b'x' * 8_000_000):\n"
               "    print(_json_values(data))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.split()) == 4


# --- 4. the runner's older workflow-command form, anywhere in a line ------------------------------------

def test_legacy_workflow_commands_from_a_submission_are_inert_in_ci_logs(tmp_path):
    """README: a line starting with ``::`` gets a ``|`` in front, "in every format", so that CI logs never
    run it. The GitHub runner also reads the older form ``##[command props]data`` *anywhere* in a line
    (actions/runner ActionCommand.TryParse, ``message.IndexOf("##[")``; ActionCommandManager falls back
    to it): ``##[add-mask]``, ``##[set-output name=...;]``, ``##[stop-commands]``, ``##[error]``... An
    exception message, printed output or a folder name (kept raw in "no softmax_cross_entropy.py" messages)
    reached ``grade check`` and the ``grade batch`` progress lines as is. Now ``##[`` is shown ``#|#[``."""
    source = ("def stable_softmax(logits, axis=-1):\n"
              "    print('done ##[set-output name=score;]35')\n"
              "    raise ValueError('x ##[error]fake failure')\n")
    path = build_submission(tmp_path, {SOFTMAX: source})
    shown = CliRunner().invoke(main, ["check", str(path), "--exercise", SOFTMAX]).stdout
    assert "#|#[error]fake failure" in shown
    assert "##[" not in shown  # Before the fix: both commands were in the report, as printed.
    submissions = tmp_path / "class"
    (submissions / "mallory ##[add-mask]35").mkdir(parents=True)  # no exercise file: the message names the path
    (submissions / "trudy").mkdir()
    (submissions / "trudy" / STUDENT_FILE).write_text("raise RuntimeError('##[stop-commands]halt')\n")
    graded = CliRunner().invoke(main, ["batch", str(submissions), "--out", str(tmp_path / "out"),
                                       "--seed", "7", "--jobs", "1"])
    assert graded.exit_code == 0, graded.output
    assert "mallory #|#[add-mask]35" in graded.output and "#|#[stop-commands]halt" in graded.output
    assert "##[" not in graded.output


# --- 5. the grader's session keyring is in the submission's reach ---------------------------------------

KEYS = '''
import ctypes, platform
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long
KEYCTL = {"x86_64": 250, "aarch64": 219, "riscv64": 219, "ppc64le": 271, "s390x": 280}[platform.machine()]
ADD_KEY = {"x86_64": 248, "aarch64": 217, "riscv64": 217, "ppc64le": 269, "s390x": 278}[platform.machine()]
SESSION = -3  # KEY_SPEC_SESSION_KEYRING


def keyctl(*args):
    return _libc.syscall(KEYCTL, *[a if isinstance(a, bytes) else ctypes.c_long(a) for a in args])


def add_key(description, payload):
    return _libc.syscall(ADD_KEY, b"user", description, payload, ctypes.c_size_t(len(payload)), ctypes.c_long(SESSION))


def read_key(serial):
    buffer = ctypes.create_string_buffer(4096)
    size = _libc.syscall(KEYCTL, ctypes.c_long(11), ctypes.c_long(serial), buffer, ctypes.c_long(4096))
    return buffer.raw[:size] if size >= 0 else None


def find(description):  # KEYCTL_SEARCH the session keyring
    return keyctl(10, SESSION, b"user", description, 0)
'''

STUDENT_KEYS = KEYS + '''

def stable_softmax(logits, axis=-1):
    found = find(b"grade-ci-secret")
    secret = read_key(found) if found > 0 else None
    planted = add_key(b"grade-left-behind", b"a student was here")
    raise RuntimeError(f"secret={secret!r} planted={planted}")
'''

GRADER_IN_A_SESSION = KEYS + '''
import json, subprocess, sys
if keyctl(1, b"grade-test-session") < 0:  # KEYCTL_JOIN_SESSION_KEYRING: as runc and pam_keyinit do
    print(json.dumps({"skip": "keyctl refused here"}))
    raise SystemExit(0)
add_key(b"grade-ci-secret", b"TOKEN-1234")
done = subprocess.run([sys.executable, "-m", "grader", "check", sys.argv[1], "--format", "json",
                       "--exercise", "stable_softmax"], capture_output=True, text=True)
print(json.dumps({"report": done.stdout, "stderr": done.stderr, "left": find(b"grade-left-behind")}))
'''


def test_a_submission_cannot_read_or_add_to_the_graders_session_keyring(tmp_path):
    """Kernel keyrings are not namespaced. Every worker kept the grader's session keyring (runc gives each
    Docker container one, as on Gradescope; pam_keyinit each login or ``sudo`` session), and a process
    *possesses* the keys of its session keyring: a submission could search it, read a CI secret kept
    there (a Kerberos ticket, a token), revoke it, and add keys that stay after the run and reach every
    later job. Now the student's process joins a new, empty session keyring before any of its code runs."""
    import subprocess
    import sys

    submission = tmp_path / STUDENT_FILE
    submission.write_text(STUDENT_KEYS)
    script = tmp_path / "session.py"
    script.write_text(GRADER_IN_A_SESSION)
    done = subprocess.run([sys.executable, str(script), str(submission)], capture_output=True, text=True,
                          timeout=240, cwd=tmp_path)
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    if "skip" in outcome:
        pytest.skip(outcome["skip"])
    report = json.loads(outcome["report"])
    message = softmax_exercise_of(report)["checks"][0]["message"]
    assert "secret=" in message, (message, outcome["stderr"])
    # Before the fix: secret=b'TOKEN-1234', and the planted key was in the grader's keyring afterwards.
    assert "TOKEN-1234" not in message and "secret=None" in message
    assert outcome["left"] == -1


def softmax_exercise_of(document: dict) -> dict:
    return next(e for e in document["exercises"] if e["name"] == SOFTMAX)


# --- 6. a notebook's code was parsed on the trusted side before its size was checked ----------------------

def test_a_notebook_with_too_much_code_is_refused_before_its_cells_are_parsed(grade, tmp_path, monkeypatch):
    """A notebook's code is bounded at 1 MiB like a .py file, but that was checked only after every code
    cell had gone through ``ast.parse`` on the trusted side (to find practice checks and ``__future__``
    imports). ast costs up to ~1 GiB and seconds per MiB of dense code (``a;b;c;d;e`` lines): one 8 MiB
    notebook of such code (a single cell) took ~5 GiB of the grader's memory and over a minute before
    being refused; two under --jobs 2 end a batch on a 7 GB CI runner. Now the code's size is counted as
    the cells are read, and the cell that crosses the bound is never parsed. Counted: bytes parsed."""
    import ast

    from grader.core.notebook_program import MAX_SOURCE_BYTES

    parsed: list[int] = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda source, *a, **k: parsed.append(len(source)) or real(source, *a, **k))
    code = "x = 1\n" * (MAX_SOURCE_BYTES // 6 + 20_000)
    path = tmp_path / "work.ipynb"
    path.write_bytes(_notebook_of([], source=code))
    report = grade(path, exercises=(SOFTMAX,))
    assert "bytes of code, over the" in softmax_exercise(report).checks[0].message
    # Before the fix: the whole cell (1.1 MiB) went through ast.parse first.
    assert sum(parsed) < MAX_SOURCE_BYTES // 10, sum(parsed)


# --- 7. the results kept for one submission were bounded per exercise only --------------------------------

def test_the_results_kept_for_a_submission_are_bounded_for_the_whole_submission(grade, tmp_path, monkeypatch):
    """A worker's replies are kept until the whole submission is graded, within a byte budget that was
    per exercise (256 MiB): nine exercises could keep 2.3 GiB in the trusted process. No forging needed:
    every function returning ``np.zeros(4_900_000)`` (under the worker's 5 million numbers) made
    ``grade check`` peak at 1.8 GB; four such submissions under --jobs 4 end a batch on a CI runner. Now
    the budget is the job's, shared by its exercises and by the fresh workers that follow a crash.
    Counted with the budget made small (8 MiB): the bytes of arrays the collectors kept."""
    import ast as ast_module

    from grader.sandbox import collect

    monkeypatch.setattr(collect, "MAX_JOB_REPLY_BYTES", 8 << 20, raising=False)
    kept: list[int] = []
    accept = collect.Collector._accept

    def counting(self, call_id, reply):
        accepted = accept(self, call_id, reply)
        if accepted:
            kept.append(sum(a.nbytes for a in self.current.replies[call_id].outputs.values()))
        return accepted

    monkeypatch.setattr(collect.Collector, "_accept", counting)
    names = [node.name for node in ast_module.parse(REFERENCE.read_text()).body if isinstance(node, ast_module.FunctionDef)]
    source = "import numpy as np\nBIG = np.zeros(250_000)\n" + "".join(
        f"def {name}(*args, **kwargs):\n    return BIG\n" for name in names)
    (tmp_path / STUDENT_FILE).write_text(source)
    report = grade(tmp_path / STUDENT_FILE)
    assert report.score <= 2  # at most the input-unchanged points
    # Before the fix: every reply was kept, 2 MB each (~80 MB here; 2.3 GiB at full size).
    assert sum(kept) <= 8 << 20, sum(kept)
    messages = [c.message for e in report.exercises for c in e.checks]
    assert any("MiB of results allowed for a whole submission" in m for m in messages)


# --- 8. a notebook that prints a traceback line with a line number of 5000 digits ------------------------

def test_a_printed_line_number_of_thousands_of_digits_does_not_fail_the_grader(grade, tmp_path):
    """For a notebook, the grader names cells in what the code printed: ``File "<path>", line N`` becomes
    "cell C, line L" through ``int(N)``. The runner first rewrites the sandbox's path (/job/submission.py)
    to the shown one, so a notebook printing ``File "/job/submission.py", line 111...1`` (5000 digits, in
    the 8 KiB of output kept) made ``int()`` raise ValueError in the trusted process: ``grade check`` died
    with a traceback, and ``grade batch`` wrote "the grader failed on this submission" (a grader error)
    instead of grading it. Now a line number has at most 9 digits; longer ones are left as printed."""
    import nbformat

    source = ("import numpy as np\n"
              "print('File \"/job/submission.py\", line ' + '1' * 5000)\n"
              "def stable_softmax(logits, axis=-1):\n"
              "    shifted = np.exp(logits - logits.max(axis=axis, keepdims=True))\n"
              "    return shifted / shifted.sum(axis=axis, keepdims=True)\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    path = tmp_path / "work.ipynb"
    path.write_text(nbformat.writes(notebook), encoding="utf-8")
    report = grade(path, exercises=(SOFTMAX,))  # Before the fix: ValueError (Exceeds the limit (4300 digits))
    assert softmax_exercise(report).status.value == "passed"
    assert "1" * 100 in softmax_exercise(report).output


# --- 9. a folder named after a classmate's rewritten name stopped the whole batch -------------------------

def test_a_folder_named_like_a_classmates_rewritten_name_does_not_stop_the_batch(tmp_path):
    """A folder name that is not valid UTF-8 becomes its text with U+FFFD plus ``~`` and a hash of the
    raw name (``submission_name``); a valid name was kept as it is. A student who names their folder
    exactly that text (it is valid UTF-8: U+FFFD is a character) made two entries of one name, and
    ``discover`` refuses the class: ``grade batch`` exited 2 and graded nobody. Now a name holding U+FFFD
    gets a hash of its own too, so a rewritten name is never an entry's name as it is."""
    import os

    from grader.batch.runs import discover, submission_name

    submissions = tmp_path / "class"
    submissions.mkdir()
    victim = submissions / os.fsdecode(b"Jos\xe9")
    victim.mkdir()
    attacker = submissions / submission_name(victim)
    attacker.mkdir()
    found = discover(submissions)  # Before the fix: UsageError "... would both be named 'Jos\ufffd~...'"
    assert len(found) == 2 and len({s.name for s in found}) == 2
    assert submission_name(submissions / "amy") == "amy" and submission_name(submissions / "José") == "José"


# --- 10. one emoji made a worker's frame cost four times its size to decode --------------------------------

def test_a_frame_with_one_wide_character_costs_the_grader_no_more_than_an_ascii_one():
    """``protocol.loads`` decodes a frame (up to 64 MiB) to text, then JSON: one character beyond Latin-1
    (an emoji) and Python stores the whole text, and every string in it, at 4 bytes per character. A
    worker's 60 MiB frame holding one emoji cost the trusted grader 480 MiB at its peak (120 MiB in
    ASCII), per job, before the message was even looked at. ``dumps`` writes ASCII only, so anything else
    is now refused before decoding. Counted: the bytes tracemalloc saw allocated at the peak."""
    import tracemalloc

    from grader.sandbox import protocol

    body = ('{"event": "sandbox_error", "detail": "\U0001F600' + "x" * (8 << 20) + '"}').encode()
    tracemalloc.start()
    try:
        protocol.loads(body)
    except protocol.ProtocolError:
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2 * len(body), peak  # Before the fix: ~8 times the frame (decoded text and string, UCS-4)
    honest = protocol.dumps({"event": "import_error", "exception": {"message": "café \U0001F600 naïve"}})
    assert honest.isascii() and protocol.loads(honest)["exception"]["message"] == "café \U0001F600 naïve"
