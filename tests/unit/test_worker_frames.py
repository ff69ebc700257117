"""The frames of the student's file a worker reports for an exception: the last five, with their lines, the same
as ``traceback.extract_tb`` gives for them (the worker walks the traceback itself: a hundred stub calls a job)."""
from __future__ import annotations

import importlib.util
import sys
import traceback

import pytest

from grader.sandbox import worker

STUDENT = '''\
import numpy as np


def deep(n):
    if n == 0:
        raise ValueError("bottom")
    return deep(n - 1)


def through_numpy(x):
    return np.asarray(x).reshape((7, 7))


def stub():
    raise NotImplementedError("write me")


def lambda_inside():
    f = lambda v: 1 / v
    return f(0)
'''


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    path = tmp_path_factory.mktemp("student") / "submission.py"
    path.write_text(STUDENT)
    spec = importlib.util.spec_from_file_location("student_frames", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(path), module


def extracted(path, exc):
    return [{"line": f.lineno, "code": (f.line or "").strip()} for f in traceback.extract_tb(exc.__traceback__)
            if f.filename == path][-worker.SHOWN_FRAMES:]


@pytest.mark.parametrize("call", [lambda m: m.deep(0), lambda m: m.deep(12), lambda m: m.through_numpy([1, 2]),
                                  lambda m: m.stub(), lambda m: m.lambda_inside()])
def test_the_frames_of_the_students_file_are_those_traceback_gives(student, call):
    path, module = student
    try:
        call(module)
    except Exception as exc:
        described = worker.describe_exception(exc, path)
        assert described["frames"] == extracted(path, exc)
        assert described["frames"] and described["frames"][-1]["code"]
        assert len(described["frames"]) <= worker.SHOWN_FRAMES
    else:
        pytest.fail("no exception")


def test_a_deep_recursion_reports_its_last_five_frames(student):
    path, module = student
    with pytest.raises(ValueError) as raised:
        module.deep(40)
    frames = worker.describe_exception(raised.value, path)["frames"]
    assert [f["line"] for f in frames] == [7, 7, 7, 7, 6]
    assert frames[-1]["code"] == 'raise ValueError("bottom")'
    assert sys.getrecursionlimit() > 40
