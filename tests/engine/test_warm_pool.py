"""Regression: workers are forked from the warm server, never started as fresh interpreters."""
from __future__ import annotations

from grader.core.model import ExerciseStatus
from grader.sandbox.server import warm_server
from variants import build_submission

# At import, before the student's own imports run: were numpy and torch already loaded?
PRELUDE = "import sys\nWARM = all(name in sys.modules for name in ('numpy', 'torch'))\n"
CHECK = '''
def stable_softmax(logits, axis=-1):
    if not WARM:
        raise RuntimeError("started cold")
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return np.exp(shifted) / np.exp(shifted).sum(axis=axis, keepdims=True)
'''


def test_every_worker_starts_warm_from_the_same_server(grade, tmp_path):
    path = build_submission(tmp_path, {"stable_softmax": CHECK}, prelude=PRELUDE)
    servers = set()
    for _ in range(3):
        report = grade(path, exercises=("stable_softmax",))
        assert report.exercises[0].status is ExerciseStatus.PASSED, report.exercises[0].checks[0].message
        servers.add(warm_server().process.pid)
    assert len(servers) == 1


def test_a_job_larger_than_its_pipe_is_written_while_the_worker_reads(grade, tmp_path, monkeypatch):
    """A job that fits its pipe is written at once; a larger one by a thread, as the worker reads it."""
    from grader.sandbox import runner

    path = build_submission(tmp_path, {"stable_softmax": CHECK}, prelude=PRELUDE)
    sent_at_once = []
    send = runner._send_at_once
    monkeypatch.setattr(runner, "_send_at_once", lambda fd, payload: sent_at_once.append(send(fd, payload)) or
                        sent_at_once[-1])
    for size in (runner.JOB_PIPE_BYTES, 4096):  # 4096: one page, less than any job of this lesson
        monkeypatch.setattr(runner, "JOB_PIPE_BYTES", size)
        report = grade(path, exercises=("stable_softmax", "cross_entropy_from_logits"))
        assert report.exercises[0].status is ExerciseStatus.PASSED, report.exercises[0].checks[0].message
    assert sent_at_once == [True, False]
