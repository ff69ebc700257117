"""The fast paths behind instant feedback give the same results as the slow ones, and open no hole."""
from __future__ import annotations

import base64
import io

import numpy as np
import pytest

from grader.sandbox import protocol


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


ARRAYS = [
    np.array(3.5), np.zeros(0), np.zeros((0, 3)), np.arange(3), np.random.default_rng(0).normal(size=(2, 3, 4)),
    np.array([np.nan, np.inf, -np.inf, -0.0]), np.arange(6, dtype=np.float32).reshape(2, 3).T,
    np.arange(12.0).reshape(3, 4)[:, ::2], np.array([True, False]), np.arange(5, dtype=np.uint8),
    np.arange(4, dtype=">f8"), np.arange(4, dtype=np.int32), np.ones((1,) * 20), np.arange(3, dtype=np.float16),
]


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype.str}{a.shape}")
def test_the_fast_npy_reader_reads_what_np_load_reads(array):
    raw = _npy(array)
    fast = protocol.decode_array({protocol.ARRAY_KEY: base64.b64encode(raw).decode()})
    slow = np.load(io.BytesIO(raw), allow_pickle=False)
    assert type(fast) is np.ndarray and fast.dtype == slow.dtype and fast.shape == slow.shape
    assert fast.flags.writeable and fast.flags.owndata and fast.flags.f_contiguous == slow.flags.f_contiguous
    np.testing.assert_array_equal(fast, slow)


@pytest.mark.parametrize("tamper", [
    lambda raw: raw[:-1],  # a byte of data missing
    lambda raw: raw + b"\0",  # one too many
    lambda raw: raw.replace(b"(2, 3)", b"(9, 9)"),  # a shape the data does not fill
    lambda raw: raw.replace(b"'<f8'", b"'|O8'").replace(b"(2, 3)", b"(3,)  "),  # objects
    lambda raw: raw.replace(b"'<f8'", b"'<U1'"),  # not numbers
    lambda raw: raw[:8] + b"\xff\xff" + raw[10:],  # a header length past the end
    lambda raw: b"\x93NUMPY\x01\x00",
])
def test_a_forged_npy_payload_is_a_protocol_error(tamper):
    raw = tamper(_npy(np.zeros((2, 3))))
    with pytest.raises(protocol.ProtocolError):
        protocol.decode_array({protocol.ARRAY_KEY: base64.b64encode(raw).decode()})


FDS = '''
def stable_softmax(logits, axis=-1):
    import os, time
    global SLOW
    if SLOW:
        SLOW = False
        time.sleep(1.5)  # keeps this worker alive while the other one is forked
    links = []
    for name in os.listdir("/proc/self/fd"):
        try:
            links.append(os.readlink(f"/proc/self/fd/{name}"))
        except OSError:
            pass
    foreign = [link for link in links if not link.startswith(("pipe:", "/dev/null", "/proc/"))]
    if foreign:
        raise RuntimeError(f"descriptors not its own: {foreign}")
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
'''


def test_a_worker_holds_no_descriptor_of_another_job(grade, tmp_path):
    """The fork server watches its workers through pidfds: none may reach a later worker."""
    from concurrent.futures import ThreadPoolExecutor

    from grader.core.model import ExerciseStatus
    from variants import build_submission

    (tmp_path / "slow").mkdir()
    (tmp_path / "quick").mkdir()
    slow = build_submission(tmp_path / "slow", {"stable_softmax": FDS}, prelude="SLOW = True\n")
    quick = build_submission(tmp_path / "quick", {"stable_softmax": FDS}, prelude="SLOW = False\n")
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(grade, slow, exercises=("stable_softmax",))
        import time

        time.sleep(0.5)
        second = grade(quick, exercises=("stable_softmax",))
        reports = [first.result(), second]
    for report in reports:
        exercise = report.exercises[0]
        assert exercise.status is ExerciseStatus.PASSED, exercise.checks[0].message


def test_cases_are_built_once_per_seed_and_cannot_be_changed_in_place(lesson):
    from grader.engine.grading import _prepared_cases

    exercise = lesson.exercises[0]
    first = _prepared_cases.get(exercise, lesson, 11)
    assert _prepared_cases.get(exercise, lesson, 11) is first
    assert _prepared_cases.get(exercise, lesson, 12) is not first
    arrays = [a for _, cases, _ in first.cases for case in cases for a in (*case.args, case.expect)
              if isinstance(a, np.ndarray)]
    assert arrays and not any(a.flags.writeable for a in arrays)
    with pytest.raises(ValueError):
        arrays[0][...] = 0


@pytest.mark.parametrize(("arguments", "grades"), [
    ([], True), (["check", "x.py"], True), (["--seed", "5", "--format", "json"], True), (["--seed", "5", "watch"], True),
    (["batch", "subs", "--out", "o"], True), (["list"], True), (["--help"], False), (["check", "--help"], False),
    (["quiz"], False), (["hint", "stable_softmax"], False), (["doctor"], False), (["merge", "a", "--out", "b"], False),
    (["--exercise", "check", "quiz-key", "show"], False),
])
def test_the_fork_server_starts_first_only_for_commands_that_grade(arguments, grades):
    from grader.cli.launch import grades as needs_workers

    assert needs_workers(arguments) is grades


def test_the_launcher_knows_every_option_of_the_command_group_that_takes_a_value():
    import click

    from grader.cli.app import main
    from grader.cli.launch import GRADING_COMMANDS, GROUP_VALUE_OPTIONS

    taking_values = {name for p in main.params if isinstance(p, click.Option) and not p.is_flag and not p.count
                     for name in p.opts if name.startswith("--")}
    assert taking_values == set(GROUP_VALUE_OPTIONS)
    assert GRADING_COMMANDS <= set(main.commands)


def test_a_fork_server_never_asked_for_a_worker_is_killed_at_once_on_close():
    from grader.sandbox.server import WarmServer

    server = WarmServer()
    server.close()  # still importing torch: waiting for it would delay a usage error by a torch import
    assert server.process.returncode == -9


def test_python_m_grader_is_the_grade_command(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "grader", "check", str(tmp_path / "missing.py")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "missing.py" in result.stderr and "Traceback" not in result.stderr


def test_the_servers_own_settings_do_not_reach_a_submission(grade, tmp_path):
    from grader.sandbox.server import PASSED_THROUGH, SERVER_ENVIRONMENT
    from variants import build_submission

    probe = ("def stable_softmax(logits, axis=-1):\n    import os\n"
             "    raise RuntimeError('|'.join(sorted(os.environ)))\n")
    report = grade(build_submission(tmp_path, {"stable_softmax": probe}), exercises=("stable_softmax",))
    message = report.exercises[0].checks[0].message
    names = set(message.split("RuntimeError: ", 1)[1].split(" (your file")[0].split("|"))
    assert "GLIBC_TUNABLES" not in names and names <= set(SERVER_ENVIRONMENT) | set(PASSED_THROUGH), names


@pytest.mark.parametrize(("arguments", "torch"), [
    (["check", "{numpy}"], True),  # every exercise: the lesson's torch ones too
    (["check", "--exercise", "stable_softmax", "{numpy}"], False),
    (["--lesson", "softmax_cross_entropy", "check", "--exercise=stable_softmax", "--seed", "3", "{numpy}"], False),
    (["check", "--exercise", "stable_softmax", "--junit", "j.xml", "{numpy}"], False),
    (["check", "--exercise", "stable_softmax", "{top}"], True),
    (["check", "--exercise", "stable_softmax", "{among}"], True),
    (["check", "--exercise", "stable_softmax", "{from}"], True),
    (["check", "--exercise", "stable_softmax", "{folder}"], True),  # a folder or notebook is not looked into
    (["check", "--exercise", "stable_softmax", "{missing}"], True),
    (["watch", "--exercise", "stable_softmax", "{numpy}"], True),  # many workers: a warm torch pays
    (["batch", "--exercise", "stable_softmax", "{folder}", "--out", "o"], True),
])
def test_the_fork_server_imports_torch_unless_a_check_of_chosen_exercises_cannot_need_it(arguments, torch, tmp_path):
    from grader.cli.launch import needs_torch

    files = {"numpy": "import numpy as np\n\ndef f():\n    import torch  # inside a function: may never run\n",
             "top": "import numpy as np\nimport torch\n", "among": "import numpy as np, torch.nn as nn\n",
             "from": '"""doc"""\nfrom torch import nn\n'}
    for name, source in files.items():
        (tmp_path / f"{name}.py").write_text(source)
    (tmp_path / "folder").mkdir()
    places = {name: str(tmp_path / f"{name}.py") for name in [*files, "missing"]}
    places["folder"] = str(tmp_path / "folder")
    assert needs_torch([a.format(**places) for a in arguments]) is torch


TORCH_SEEN = '''
import sys
import numpy as np

LOADED = "torch" in sys.modules


def stable_softmax(logits, axis=-1):
    raise RuntimeError(f"torch at import: {LOADED}, now: {'torch' in sys.modules}")
'''
GRADER_TORCH = ("import atexit, sys; atexit.register(lambda: print('grader torch:', 'torch' in sys.modules, file=sys.stderr)); "
                "sys.argv = ['grade', *sys.argv[1:]]; from grader.cli.entry import main; main()")


def test_a_cold_check_of_a_numpy_only_exercise_imports_no_torch_anywhere(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "softmax_cross_entropy.py"
    path.write_text(TORCH_SEEN)
    result = subprocess.run([sys.executable, "-c", GRADER_TORCH, "check", "--exercise", "stable_softmax", str(path)],
                            capture_output=True, text=True, timeout=120)
    assert "RuntimeError: torch at import: False, now: False" in result.stdout, result.stdout + result.stderr
    assert "grader torch: False" in result.stderr, result.stderr
    everything = subprocess.run([sys.executable, "-c", GRADER_TORCH, "check", str(path)], capture_output=True,
                                text=True, timeout=300)  # every exercise: the workers start with torch, as before
    assert "RuntimeError: torch at import: True, now: True" in everything.stdout, everything.stdout


def test_a_worker_without_a_warm_torch_imports_it_when_an_exercise_needs_it():
    """The reference imports torch only inside its torch functions: the server starts without torch for it, and
    its torch exercises still pass (the worker imports torch itself, confined as ever)."""
    import subprocess
    import sys
    from pathlib import Path

    from grader.cli.launch import needs_torch

    reference = str(Path(__file__).resolve().parents[2] / "solutions" / "softmax_cross_entropy.py")
    arguments = ["check", "--exercise", "torch_classification_loss", "--exercise", "torch_sequence_loss", reference]
    assert not needs_torch(arguments)
    result = subprocess.run([sys.executable, "-m", "grader", *arguments], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and "Total: 8/8 points" in result.stdout, result.stdout + result.stderr
    assert "without full confinement" not in result.stderr
