"""A torch exercise whose gradients must reach its arguments: a submission that computes the right values
without autograd and writes each argument's ``.grad`` by hand must not get the points. The gradients are
the values the trusted side computes itself (``Case.value_of`` and ``core.numeric_grad``), not only their
presence: only the values' being right is worth a point."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.authoring.known_wrong import splice
from grader.cli.app import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixture_course_ml"
NAME = "attention_basics"
SOLUTION = FIXTURE / "solutions" / f"{NAME}.py"

# The right output, computed in numpy; a fresh leaf that requires grad; q.grad, k.grad, v.grad set by hand.
FORGED = '''
def torch_attention(q, k, v, mask):
    import numpy as np
    import torch

    qn, kn, vn, m = (t.detach().numpy() for t in (q, k, v, mask))
    scores = np.where(m, qn @ kn.T / np.sqrt(qn.shape[-1]), -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    for argument in (q, k, v):
        argument.grad = FORGED_GRAD(argument)
    return torch.tensor(weights @ vn, dtype=q.dtype, requires_grad=True)
'''
FORGERIES = {"ones": "torch.ones_like", "zeros": "torch.zeros_like"}


def _torch_attention_checks(tmp_path: Path, source: str) -> list[dict]:
    (tmp_path / "exercises").mkdir(parents=True)
    student = tmp_path / "exercises" / f"{NAME}.py"
    student.write_text(source)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = CliRunner().invoke(main, ["--course", str(FIXTURE), "check", str(student), "--format", "json",
                                           "--exercise", "torch_attention"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    [exercise] = [e for e in json.loads(result.stdout)["exercises"] if e["name"] == "torch_attention"]
    return exercise["checks"]


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_gradients_written_by_hand_do_not_pass_for_autograd(tmp_path, forgery):
    forged = FORGED.replace("FORGED_GRAD", FORGERIES[forgery])
    checks = _torch_attention_checks(tmp_path, splice(SOLUTION.read_text(), "torch_attention", forged))
    assert checks and not any(c["passed"] for c in checks), checks
    for check in checks:
        assert "gradient of q:" in check["message"], check["message"]  # the first argument whose gradient is wrong


def test_the_reference_and_a_rewritten_autograd_implementation_still_pass(tmp_path):
    """Another correct implementation (softmax by hand, the mask as -inf added) gets the same gradients."""
    rewritten = '''
def torch_attention(q, k, v, mask):
    import torch

    scores = torch.where(mask, q @ k.T * q.shape[-1] ** -0.5, torch.tensor(float("-inf"), dtype=q.dtype))
    weights = torch.exp(scores - scores.max(dim=-1, keepdim=True).values)
    return (weights / weights.sum(dim=-1, keepdim=True)) @ v
'''
    for name, source in (("ref", SOLUTION.read_text()), ("rewritten", splice(SOLUTION.read_text(), "torch_attention", rewritten))):
        checks = _torch_attention_checks(tmp_path / name, source)
        assert checks and all(c["passed"] for c in checks), checks
