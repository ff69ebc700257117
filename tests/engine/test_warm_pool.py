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
