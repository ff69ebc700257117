"""Hostile submissions: the grade cannot be faked, and nothing a submission does reaches the grader,
the reference, or another student's files."""
from __future__ import annotations

import json
import os
import signal
import socket
import time

import pytest
from click.testing import CliRunner

from grader.cli.app import main
from grader.course.lesson import PROJECT_ROOT
from grader.core.model import ExerciseStatus
from processes import processes_named
from variants import STUB, build_submission
from forgery import FORGER

SOFTMAX = "stable_softmax"
REFERENCE_FILE = PROJECT_ROOT / "solutions" / "softmax_cross_entropy.py"
# No skip: CI runs these as root, as an unprivileged user and as root without CAP_SYS_ADMIN.


def softmax_exercise(report):
    return next(e for e in report.exercises if e.name == SOFTMAX)


def raising(expression: str) -> str:
    """A stable_softmax that reports what it found through an exception message."""
    return f"def stable_softmax(logits, axis=-1):\n    raise RuntimeError(repr({expression}))\n"


def test_patched_comparisons_and_printed_results_earn_nothing(grade, tmp_path):
    prelude = '''
import math, sys, json
import numpy as np
import torch
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: np.True_
np.testing.assert_allclose = lambda *a, **k: None
math.isclose = lambda *a, **k: True
torch.allclose = lambda *a, **k: True
fake = {"schema_version": 1, "score": 35.0, "max_score": 35.0, "exercises": []}
print(json.dumps(fake)); print("100/100"); print(json.dumps(fake), file=sys.stderr)
open("results.json", "w").write(json.dumps({"score": 100}))
'''
    path = build_submission(tmp_path, {}, base=STUB, prelude=prelude)
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json"])
    document = json.loads(result.stdout)
    assert document["score"] == 0 and result.exit_code == 1
    assert not (tmp_path / "results.json").exists()


@pytest.mark.parametrize("exit_call", ["sys.exit(0)", "os._exit(0)", "raise SystemExit(0)"])
def test_exiting_with_success_earns_nothing(grade, tmp_path, exit_call):
    source = f"def stable_softmax(logits, axis=-1):\n    import os, sys\n    {exit_call}\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}, base=STUB), exercises=(SOFTMAX,))
    assert report.score == 0
    at_import = build_submission(tmp_path, {}, base=STUB, prelude=f"import os, sys\n{exit_call}\n")
    assert grade(at_import, exercises=(SOFTMAX,)).score == 0


def test_lying_arrays_and_non_arrays_earn_nothing(grade, tmp_path):
    lying = '''
class Liar(np.ndarray):
    def __eq__(self, other):
        return True
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.ones(3, dtype=bool)
    def __float__(self):
        return 0.0

def stable_softmax(logits, axis=-1):
    return np.zeros_like(logits).view(Liar)
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: lying}), exercises=(SOFTMAX,))
    # Every check of the values fails, whatever the returned object claims about itself; the check of a
    # property that holds (the input is left unchanged) says so but earns nothing beside no right value.
    checks = softmax_exercise(report).checks
    assert not [c.name for c in checks if c.passed] and report.score == 0
    assert "the input was left unchanged, but this point counts only once" in \
        next(c for c in checks if c.name == "input_unchanged").message
    always_equal = '''
class AlwaysEqual:
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__

def stable_softmax(logits, axis=-1):
    return AlwaysEqual()
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: always_equal}), exercises=(SOFTMAX,))
    assert report.score == 0
    assert "not numbers" in softmax_exercise(report).checks[0].message


def test_the_reference_and_the_graders_code_are_out_of_reach(grade, tmp_path):
    os_ = "__import__('os')"
    seen = (f"[{os_}.path.exists({str(REFERENCE_FILE)!r}), "
            f"{os_}.listdir({str(PROJECT_ROOT)!r}) if {os_}.path.isdir({str(PROJECT_ROOT)!r}) else []]")
    message = softmax_exercise(grade(build_submission(tmp_path, {SOFTMAX: raising(seen)}),
                                     exercises=(SOFTMAX,))).checks[0].message
    # Only the interpreter's own files are mounted: at most a virtualenv inside the project.
    assert "[False, []]" in message or "[False, ['.venv']]" in message
    loaded = "sorted(m for m in __import__('sys').modules if m.startswith('grader') or 'solution' in m)"
    message = softmax_exercise(grade(build_submission(tmp_path, {SOFTMAX: raising(loaded)}),
                                     exercises=(SOFTMAX,))).checks[0].message
    modules = message.split("RuntimeError: ")[1].split(" (your file")[0]
    assert "grader.sandbox.worker" in modules  # the worker itself, and nothing of the trusted side:
    for trusted in ("grader.course.lesson", "grader.engine.verify", "grader.core.checks", "grader.lessons", "solution"):
        assert f"'{trusted}" not in modules


def test_other_submissions_and_grader_files_cannot_be_read_or_changed(grade, tmp_path):
    other = tmp_path / "other_student" / "softmax_cross_entropy.py"
    other.parent.mkdir()
    other.write_text("# another student's work\n")
    before = other.stat().st_mtime_ns
    target = PROJECT_ROOT / "grader" / "core" / "model.py"
    model_before = target.read_bytes()
    attack = f'''
def stable_softmax(logits, axis=-1):
    outcomes = []
    for path in ({str(other)!r}, {str(target)!r}, "/etc/shadow"):
        try:
            with open(path, "a") as handle:
                handle.write("owned")
            outcomes.append("wrote")
        except OSError as exc:
            outcomes.append(type(exc).__name__)
    raise RuntimeError(repr(outcomes))
'''
    (tmp_path / "attacker").mkdir()
    report = grade(build_submission(tmp_path / "attacker", {SOFTMAX: attack}), exercises=(SOFTMAX,))
    message = softmax_exercise(report).checks[0].message
    assert "wrote" not in message
    assert other.read_text() == "# another student's work\n" and other.stat().st_mtime_ns == before
    assert target.read_bytes() == model_before


def test_no_network(grade, tmp_path):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        source = raising(f"__import__('socket').create_connection(('127.0.0.1', {port}), timeout=2)")
        message = softmax_exercise(grade(build_submission(tmp_path, {SOFTMAX: source}),
                                         exercises=(SOFTMAX,))).checks[0].message
    assert "OSError" in message or "ConnectionRefusedError" in message or "Network is unreachable" in message


MARKER = f"esc-{os.getpid() % 10**8}"  # this run's own name: another suite on the machine has its own
NAME_ITSELF = f"__import__('ctypes').CDLL(None).prctl(15, b'{MARKER}', 0, 0, 0)"  # PR_SET_NAME


def _sandbox_processes() -> list[int]:
    """Processes a test's submission started and named, wherever they run (any uid, any namespace)."""
    return processes_named(MARKER)


def test_every_process_a_submission_starts_is_gone_afterwards(grade, tmp_path):
    escape = f'''
def stable_softmax(logits, axis=-1):
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            {NAME_ITSELF}
            time.sleep(120)
        os._exit(0)
    return np.exp(logits - logits.max(axis=axis, keepdims=True)) / np.exp(logits - logits.max(axis=axis, keepdims=True)).sum(axis=axis, keepdims=True)
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: escape}), exercises=(SOFTMAX,))
    assert softmax_exercise(report).status is ExerciseStatus.PASSED
    deadline = time.monotonic() + 5
    while _sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandbox_processes() == []


def test_signal_ignoring_loop_is_still_killed(grade, tmp_path):
    stubborn = '''
def stable_softmax(logits, axis=-1):
    import signal
    for name in ("SIGTERM", "SIGALRM", "SIGXCPU", "SIGINT", "SIGHUP"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    while True:
        pass
'''
    started = time.monotonic()
    report = grade(build_submission(tmp_path, {SOFTMAX: stubborn}), timeout=1.0)
    assert time.monotonic() - started < 8
    assert softmax_exercise(report).status is ExerciseStatus.TIMEOUT
    assert all(e.status is ExerciseStatus.PASSED for e in report.exercises if e.name != SOFTMAX)


def test_fork_bomb_is_contained(grade, tmp_path):
    bomb = f'''
def stable_softmax(logits, axis=-1):
    import os
    {NAME_ITSELF}
    while True:
        try:
            os.fork()
        except OSError:
            pass
'''
    report = grade(build_submission(tmp_path, {SOFTMAX: bomb}), timeout=2.0)
    assert softmax_exercise(report).status in (ExerciseStatus.TIMEOUT, ExerciseStatus.ERROR)
    assert all(e.status is ExerciseStatus.PASSED for e in report.exercises if e.name != SOFTMAX)
    deadline = time.monotonic() + 5
    while _sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandbox_processes() == []


def test_memory_file_and_output_limits(grade, tmp_path):
    greedy = "def stable_softmax(logits, axis=-1):\n    block = bytearray(8 * 1024 ** 3)\n    return logits\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: greedy}), exercises=(SOFTMAX,))
    assert "MemoryError" in softmax_exercise(report).checks[0].message
    writer = ("def stable_softmax(logits, axis=-1):\n    with open('big.bin', 'wb') as f:\n"
              "        f.write(b'0' * (64 * 1024 * 1024))\n    return logits\n")
    report = grade(build_submission(tmp_path, {SOFTMAX: writer}), exercises=(SOFTMAX,))
    assert "File too large" in softmax_exercise(report).checks[0].message
    flood = ("def stable_softmax(logits, axis=-1):\n    import sys\n    chunk = 'y' * (1 << 20)\n"
             "    for _ in range(200):\n        sys.stdout.write(chunk)\n    return logits\n")
    started = time.monotonic()
    report = grade(build_submission(tmp_path, {SOFTMAX: flood}), exercises=(SOFTMAX,), timeout=30)
    exercise = softmax_exercise(report)
    assert time.monotonic() - started < 20
    assert len(exercise.output) < 10_000 and "output cut: the first 8192 of" in exercise.output


def test_recursion_threads_and_stdin_end_as_results(grade, tmp_path):
    recursion = "def stable_softmax(logits, axis=-1):\n    return stable_softmax(logits, axis)\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: recursion}), exercises=(SOFTMAX,))
    assert "RecursionError" in softmax_exercise(report).checks[0].message
    thread = ("import threading, time\nthreading.Thread(target=lambda: time.sleep(600)).start()\n")
    report = grade(build_submission(tmp_path, {}, prelude=thread), exercises=(SOFTMAX,))
    assert softmax_exercise(report).status is ExerciseStatus.PASSED
    reader = "def stable_softmax(logits, axis=-1):\n    import sys\n    return np.full(logits.shape, len(sys.stdin.read()))\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: reader}), exercises=(SOFTMAX,))
    assert softmax_exercise(report).status is ExerciseStatus.FAILED




@pytest.mark.parametrize("forged", [
    '{"event": "sandbox", "protections": 7}, {"id": "0.0", "status": "raised", "exception": {"mro": 5, "frames": "x"}},'
    ' {"id": "0.1", "status": "ok", "outputs": {"value": "nope"}, "meta": []}',
    '{"event": "done"}',
    '{"event": "task_done"}, {"event": "task", "index": 1}, {"event": "done"}',
    '{"event": "import_error", "exception": "boom"}',
    '{"__ndarray__": "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo="}',
    '{"event": "sandbox", "protections": []}); import time; [(_forge({"event": "sandbox"}), time.sleep(0.2)) '
    'for _ in range(300)]; (0',
])
def test_forged_messages_neither_crash_nor_hang_the_grader(grade, tmp_path, forged):
    source = FORGER + f"\ndef stable_softmax(logits, axis=-1):\n    _forge({forged})\n    return logits * 0\n"
    started = time.monotonic()
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), timeout=2.0)
    assert time.monotonic() - started < 20
    # No forged reply earns a value check (returning zeros keeps only the input-unchanged point).
    assert not any(c.passed for c in softmax_exercise(report).checks if c.name != "input_unchanged")
    others = [e for e in report.exercises if e.name != SOFTMAX]
    assert len(report.exercises) == 9 and all(e.checks for e in others)


# Four children of 250 MB each: each under its address space limit (300 MB), together over the job's memory.
FOUR_CHILDREN_HOG = '''
RAN = []

def stable_softmax(logits, axis=-1):
    import os, time
    if RAN:
        return logits
    RAN.append(1)
    children = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            block = np.ones(250 * 1024 * 1024 // 8)
            time.sleep(2)
            os._exit(0)
        children.append(pid)
    statuses = sorted(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children)
    raise RuntimeError(f"children ended with {statuses}")
'''


@pytest.mark.skipif(os.geteuid() != 0, reason="per-job memory cgroups need root (grade doctor lists them)")
def test_memory_is_limited_per_job_not_only_per_process(lesson, tmp_path):
    """Four children of 250 MB each stay under the per-process limit of 300 MB, not the job's."""
    hog = FOUR_CHILDREN_HOG
    from grader.engine.grading import GradeOptions, grade_submission
    from grader.sandbox.runner import Limits

    options = GradeOptions(limits=Limits(timeout=20, memory_mb=300), exercises=(SOFTMAX,))
    report = grade_submission(build_submission(tmp_path, {SOFTMAX: hog}), lesson, options)
    message = softmax_exercise(report).checks[0].message
    assert "children ended with [-9" in message, message


@pytest.mark.skipif(os.geteuid() != 0, reason="per-job cgroups need root (grade doctor lists them)")
def test_a_jobs_cgroups_serve_the_next_job_with_their_memory_counters_set_back(lesson, tmp_path):
    """Within a batch, the groups of a job whose processes all died with its namespace serve the next job with
    the same limits: what the earlier job did to the memory counters (an OOM kill) is not read as the next one's."""
    from grader.engine.grading import GradeOptions, grade_submission
    from grader.sandbox import cgroups, runner
    from grader.sandbox.runner import Limits, deferred_teardowns

    options = GradeOptions(limits=Limits(timeout=20, memory_mb=300), exercises=(SOFTMAX,))
    with deferred_teardowns():
        (tmp_path / "hog").mkdir()
        (tmp_path / "honest").mkdir()
        grade_submission(build_submission(tmp_path / "hog", {SOFTMAX: FOUR_CHILDREN_HOG}), lesson, options)
        deadline = time.monotonic() + 60
        while runner._teardowns._pending and time.monotonic() < deadline:  # the teardown has run: groups back
            time.sleep(0.01)
        [stored] = cgroups.stored_cgroups._stored
        assert stored._oom_kills(stored.groups["memory"]) > 0  # the hog's children were killed by the OOM killer
        assert not stored.ran_out_of_memory()
        report = grade_submission(build_submission(tmp_path / "honest", {}), lesson, options)
        assert cgroups.stored_cgroups._stored in ([], [stored])  # taken by the honest job (and maybe back)
        assert softmax_exercise(report).status is ExerciseStatus.PASSED
    assert cgroups.stored_cgroups._stored == []
    assert not any(group.exists() for group in stored.groups.values()) or stored.groups == {}


@pytest.fixture
def sleeping_child():
    """A child process that sleeps until the test ends (killed then if it is still there)."""
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    yield child
    try:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


@pytest.mark.skipif(os.geteuid() != 0, reason="per-job cgroups need root (grade doctor lists them)")
def test_a_cgroup_with_a_process_left_in_it_is_removed_not_stored(sleeping_child):
    from grader.sandbox.cgroups import StoredCgroups

    store = StoredCgroups()
    group = store.take(f"test-{os.getpid()}", 256, 8)
    group.join(sleeping_child)
    paths = list(group.groups.values())
    store.give_back(group, reusable=True)
    assert store._stored == [] and not any(p.exists() for p in paths)
    assert os.waitpid(sleeping_child, 0)[1] != 0  # close() killed what was left


@pytest.mark.skipif(os.geteuid() != 0, reason="per-job cgroups need root (grade doctor lists them)")
def test_removing_every_cgroup_ends_the_jobs_in_use_and_starts_none_after(monkeypatch, sleeping_child):
    """What Ctrl-C does (runner.remove_job_directories): the groups of a job still running are removed with its
    processes, the stored ones too, and a job starting after that waits for the exit instead of making more."""
    from grader.sandbox import cgroups as module

    store = module.StoredCgroups()
    running, stored = store.take(f"test-a-{os.getpid()}", 256, 8), store.take(f"test-b-{os.getpid()}", 256, 8)
    store.give_back(stored, reusable=True)
    running.join(sleeping_child)
    paths = [*running.groups.values(), *stored.groups.values()]
    assert paths and all(p.exists() for p in paths)
    store.remove_all()
    assert not any(p.exists() for p in paths)
    assert os.waitpid(sleeping_child, 0)[1] != 0  # killed with its group

    class WaitsForTheExit(Exception):
        pass

    def wait() -> None:
        raise WaitsForTheExit

    monkeypatch.setattr(module, "wait_for_the_exit", wait)
    with pytest.raises(WaitsForTheExit):
        store.take(f"test-c-{os.getpid()}", 256, 8)
