"""A finished worker's teardown may run while the next job does (``deferred_teardowns``, used by
``grade batch``): the outcomes and the output are the same as when it is waited for, and nothing of a job
outlives the scope: no process, no directory."""
from __future__ import annotations

import os
import tempfile
import threading
import time

import pytest

from grader.engine.grading import GradeOptions, grade_submission
from grader.core.model import ExerciseStatus
from grader.render.json_report import report_dict
from grader.sandbox import runner
from grader.sandbox.collect import TASK_MARKER, OutputDrain
from grader.sandbox.runner import Limits, deferred_teardowns
from processes import processes_named
from variants import REFERENCE, build_submission

MARKER = f"td-{os.getpid() % 10**8}"  # this run's own process name: another suite on the machine has its own


def _last_exercise(lesson) -> str:
    return lesson.exercises[-1].name


# --- the scope, on its own ------------------------------------------------------------------------------

def test_outside_a_scope_a_teardown_is_not_deferred():
    assert runner._teardowns.defer(lambda: None) is False


def test_every_teardown_deferred_in_a_scope_has_run_when_it_ends():
    release = threading.Event()
    done: list[int] = []

    def slow(n: int) -> None:
        release.wait(10)
        done.append(n)

    with deferred_teardowns():
        assert all(runner._teardowns.defer(lambda n=n: slow(n)) for n in range(3))
        assert done == []  # running in the background
        threading.Timer(0.2, release.set).start()
    assert sorted(done) == [0, 1, 2]
    assert runner._teardowns.defer(lambda: None) is False  # the scope is closed


def test_too_many_waiting_teardowns_are_left_to_the_job_itself():
    release = threading.Event()
    with deferred_teardowns():
        accepted = [runner._teardowns.defer(lambda: release.wait(10)) for _ in range(runner.MAX_PENDING_TEARDOWNS + 3)]
        release.set()
    assert accepted.count(True) == runner.MAX_PENDING_TEARDOWNS and accepted[-1] is False


# --- the output's end marker ----------------------------------------------------------------------------

def test_the_output_ends_at_the_end_marker_while_the_pipe_is_still_open():
    read_end, write_end = os.pipe()
    drain = OutputDrain(read_end, 2)
    drain.start()
    os.write(write_end, b"first" + TASK_MARKER + b"1\x00second" + TASK_MARKER + b"2\x00after the end")
    assert drain.reached_end(5)  # a lingering process still holds the write end
    assert (drain.text(0), drain.text(1)) == ("first", "second")
    for _ in range(64):  # what comes after is read and dropped: a writer is never blocked nor refused
        os.write(write_end, b"x" * (1 << 16))
    os.close(write_end)
    drain.join(5)
    assert not drain.is_alive() and (drain.text(0), drain.text(1)) == ("first", "second")


def test_without_the_end_marker_the_output_is_read_to_the_end_of_the_pipe():
    read_end, write_end = os.pipe()
    drain = OutputDrain(read_end, 2)
    drain.start()
    os.write(write_end, b"first" + TASK_MARKER + b"1\x00second")
    assert not drain.reached_end(0.2)
    os.close(write_end)
    assert not drain.reached_end(5)  # ended, but not at the marker: the teardown is waited for
    assert drain.text(1) == "second"


# --- whole jobs -----------------------------------------------------------------------------------------

def test_deferred_or_not_a_submission_gets_the_same_report_and_its_last_output(lesson, tmp_path):
    last = _last_exercise(lesson)
    reference = REFERENCE.read_text()
    source = reference.replace(f"def {last}(", f"def _{last}(", 1) + f'''

def {last}(*args, **kwargs):
    print("printed by the last exercise")
    return _{last}(*args, **kwargs)
'''
    path = tmp_path / "softmax_cross_entropy.py"
    path.write_text(source)
    options = GradeOptions(seed=7, limits=Limits(timeout=10))
    waited = grade_submission(path, lesson, options)
    with deferred_teardowns():
        deferred = grade_submission(path, lesson, options)
    assert deferred.score == waited.score == deferred.max_score
    without_times = lambda report: {e["name"]: {**e, "seconds": 0} for e in report_dict(report)["exercises"]}
    assert without_times(deferred) == without_times(waited)
    assert "printed by the last exercise" in next(e for e in deferred.exercises if e.name == last).output


def test_nothing_of_a_job_outlives_the_scope(lesson, tmp_path, monkeypatch):
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(jobs))  # the jobs' directories, apart from other suites'
    lingering = f'''
def stable_softmax(logits, axis=-1):
    import os, time
    if os.fork() == 0:
        os.setsid()
        __import__('ctypes').CDLL(None).prctl(15, b'{MARKER}', 0, 0, 0)
        time.sleep(120)
        os._exit(0)
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
'''
    path = build_submission(tmp_path, {"stable_softmax": lingering})
    with deferred_teardowns():
        reports = [grade_submission(path, lesson, GradeOptions(seed=7, exercises=("stable_softmax",)))
                   for _ in range(3)]
    assert all(r.exercises[0].status is ExerciseStatus.PASSED for r in reports)
    assert processes_named(MARKER) == []
    assert list(jobs.iterdir()) == []


def test_a_submission_that_forges_the_end_marker_hides_only_its_own_output(lesson, tmp_path):
    forger = '''
def stable_softmax(logits, axis=-1):
    import os, sys
    print("before")
    sys.stdout.flush()
    os.write(1, b"\\x00grade-task:1\\x00")  # the end marker of a one-task job
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
'''
    path = build_submission(tmp_path, {"stable_softmax": forger})
    started = time.monotonic()
    with deferred_teardowns():
        report = grade_submission(path, lesson, GradeOptions(seed=7, exercises=("stable_softmax",)))
    exercise = report.exercises[0]
    assert exercise.status is ExerciseStatus.PASSED and exercise.score == exercise.max_score
    assert "before" in exercise.output
    assert time.monotonic() - started < 60  # not stuck waiting for an output that never ends


@pytest.mark.parametrize("deferred", [False, True])
def test_an_exercise_that_runs_out_of_time_is_reported_the_same_in_a_scope(lesson, tmp_path, deferred):
    looping = "def stable_softmax(logits, axis=-1):\n    while True:\n        pass\n"
    path = build_submission(tmp_path, {"stable_softmax": looping})
    options = GradeOptions(seed=7, limits=Limits(timeout=0.5), exercises=("stable_softmax",))
    if deferred:
        with deferred_teardowns():
            report = grade_submission(path, lesson, options)
    else:
        report = grade_submission(path, lesson, options)
    assert report.exercises[0].status is ExerciseStatus.TIMEOUT


def _settled() -> None:
    """Wait for the state where every deferred teardown of the scope has run (the job's directory is back)."""
    deadline = time.monotonic() + 60
    while runner._teardowns._pending and time.monotonic() < deadline:
        time.sleep(0.01)


def test_in_a_scope_a_sealed_off_jobs_directory_serves_the_next_and_none_outlives_it(lesson, tmp_path, monkeypatch):
    """With a private root in a PID namespace of its own, a job writes nothing on the host: its directory is
    used again by the scope's next job. Where the machine gives no private root, each job gets a new one."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(jobs))
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda *a, **k: made.append(real_mkdtemp(*a, **k)) or made[-1])
    path = build_submission(tmp_path, {})
    with deferred_teardowns():
        reports = []
        for _ in range(3):
            reports.append(grade_submission(path, lesson, GradeOptions(seed=7, exercises=("stable_softmax",))))
            _settled()
    assert all(r.exercises[0].status is ExerciseStatus.PASSED for r in reports)
    sealed_off = not {"minimal read-only file system", "PID namespace"} & set(reports[0].unconfined)
    assert len(made) == (1 if sealed_off else 3)
    assert list(jobs.iterdir()) == []  # the stored directory too, once the scope is over
