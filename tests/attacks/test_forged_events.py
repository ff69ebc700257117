"""Events only the worker's own code sends, before or around the student's, forged by the student's code: the
student's process holds the results pipe, so any frame it writes is a claim. A claim that the grader failed
("the grader's sandbox could not start") must never be believed once student code may have run: the worker
sends it only before it says "sandbox", which comes before the student's file is imported."""
from __future__ import annotations

import pytest

from grader.core.model import ExerciseStatus
from grader.sandbox import protocol
from grader.sandbox.collect import Collector, TaskEnding
from forgery import FORGER
from variants import build_submission

SOFTMAX = "stable_softmax"
BLAME = "the grader's sandbox could not start"
FORGED_ERROR = '{"event": "sandbox_error", "detail": "PermissionError: mount /tmp: host misconfigured, regrade by hand"}'


class _Frames:
    """A worker's results pipe, as frames already written: deterministic, no process."""

    def __init__(self, *messages: dict) -> None:
        self.frames = [protocol.dumps(m) for m in messages]

    def read(self, deadline: float) -> bytes | None:
        return self.frames.pop(0) if self.frames else None


def _outcomes(*messages: dict, tasks: int = 2) -> list:
    collector = Collector(tasks, 10.0, expected_ids=[frozenset({"0.0"})] * tasks)
    collector.collect(_Frames(*messages))  # type: ignore[arg-type]
    return collector.outcomes()


def test_a_sandbox_error_before_the_sandbox_is_ready_is_the_graders_own():
    [first, second] = _outcomes({"event": "sandbox_error", "detail": "unshare: Operation not permitted"})
    assert first.ending is second.ending is TaskEnding.SANDBOX_ERROR
    assert first.detail == f"{BLAME}: unshare: Operation not permitted"


@pytest.mark.parametrize("before", [
    [],  # at import
    [{"event": "task"}],  # during an exercise
    [{"event": "task"}, {"event": "task_done"}],  # between exercises
], ids=["import", "task", "between"])
def test_a_sandbox_error_once_student_code_may_run_is_a_protocol_error(before):
    ready = {"event": "sandbox", "protections": ["user namespace"]}
    outcomes = _outcomes(ready, *before, {"event": "sandbox_error", "detail": "the grader broke"})
    assert all(BLAME not in o.detail and o.ending is not TaskEnding.SANDBOX_ERROR for o in outcomes), outcomes
    assert outcomes[-1].ending is TaskEnding.PROTOCOL_ERROR


@pytest.mark.parametrize("where", ["import", "call"])
def test_a_submission_cannot_blame_its_failure_on_the_graders_sandbox(grade, tmp_path, where):
    """Before the fix every exercise read "No exercise could run: the grader's sandbox could not start:
    PermissionError: mount /tmp: host misconfigured, regrade by hand", the submission's own words."""
    if where == "import":
        submission = build_submission(tmp_path, {}, prelude=FORGER + f"\n_forge({FORGED_ERROR})\n")
    else:
        source = FORGER + f"\ndef stable_softmax(logits, axis=-1):\n    _forge({FORGED_ERROR})\n    return logits\n"
        submission = build_submission(tmp_path, {SOFTMAX: source})
    report = grade(submission, timeout=5.0)
    texts = [e.detail for e in report.exercises] + [c.message for e in report.exercises for c in e.checks]
    assert not any(BLAME in text or "regrade by hand" in text for text in texts)
    softmax = next(e for e in report.exercises if e.name == SOFTMAX)
    assert softmax.status is ExerciseStatus.ERROR and "not part of the protocol" in softmax.detail
    if where == "call":  # the other exercises still run, in a fresh worker
        assert all(e.checks for e in report.exercises) and len(report.exercises) == 9


# --- a frame nested deep enough to overflow the decoder's recursion, not json's --------------------------------

def _nested(depth: int) -> bytes:
    return ('{"id": "0.0", "status": "ok", "meta": ' + "[" * depth + "]" * depth + "}").encode()


@pytest.mark.parametrize("depth", [100, 600, 990, 5000])
def test_a_deeply_nested_message_is_a_protocol_error(depth):
    """json.loads (C) accepts ~1000 levels; turning its lists back into arrays (``_from_wire``, Python) took
    two frames a level, so 500-990 levels raised RecursionError out of ``protocol.loads``, past the collector."""
    with pytest.raises(protocol.ProtocolError):
        protocol.loads(_nested(depth))
    assert protocol.loads(_nested(20))["meta"] is not None  # an honest message is a few levels deep


DEEP = FORGER + '''
def stable_softmax(logits, axis=-1):
    import json
    _forge(json.loads('{"id": "0.0", "status": "ok", "meta": ' + "[" * 600 + "]" * 600 + '}'))
    return logits
'''


def test_a_deeply_nested_frame_neither_crashes_grade_check_nor_changes_its_exit_code(tmp_path):
    """Before the fix: a RecursionError traceback and exit 1 (the code of "not complete yet") from
    ``grade check``; in a batch, "the grader failed on this submission"."""
    import subprocess
    import sys

    submission = build_submission(tmp_path, {SOFTMAX: DEEP})
    done = subprocess.run([sys.executable, "-m", "grader", "check", str(submission), "--exercise", SOFTMAX,
                           "--format", "json"], capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stderr and "RecursionError" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 1, (done.returncode, done.stderr)  # a verdict: the exercise is not passed
    assert "something unreadable" in done.stdout
