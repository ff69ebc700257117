"""The naive way to grade, for the benchmark only: a fresh pytest process per submission that
imports the student's module in-process (torch included) and runs the same checks.

Never use this to grade: the student's code runs in the process that decides the grade.
Run as: SUBMISSION=path/to/softmax_cross_entropy.py python -m pytest -q benchmarks/naive_checks.py
"""
from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

from grader.core.checks import Probe, Tensor
from grader.core.compare import compare
from grader.engine.grading import DEFAULT_SEED
from grader.course.course import load_lesson

LESSON = load_lesson()
CHECKS = [(exercise, check) for exercise in LESSON.exercises for check in exercise.checks]


@pytest.fixture(scope="module")
def submission():
    spec = importlib.util.spec_from_file_location("submission", os.environ["SUBMISSION"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _argument(value):
    import torch

    if isinstance(value, Tensor):
        return torch.tensor(value.data, dtype=getattr(torch, value.dtype), requires_grad=value.requires_grad)
    if isinstance(value, Probe):
        return value.build()
    return np.array(value, copy=True) if isinstance(value, np.ndarray) else value


@pytest.mark.parametrize(("exercise", "check"), CHECKS, ids=[f"{e.name}/{c.name}" for e, c in CHECKS])
def test_check(submission, exercise, check):
    import torch

    for case in check.cases(LESSON.reference, DEFAULT_SEED):
        args = [_argument(a) for a in case.args]
        function = getattr(submission, exercise.name)
        if case.raises:
            with pytest.raises(ValueError):
                function(*args, **case.kwargs)
            continue
        value = function(*args, **case.kwargs)
        if isinstance(value, torch.Tensor):
            if case.expect_grad:
                value.backward()
                assert compare(args[0].grad.numpy(), case.expect_grad[0], case.tolerance).ok
            value = value.detach().numpy()
        assert compare(np.asarray(value), case.expect, case.tolerance).ok
