"""Issue 21's new wire fields, forged: a worker is the student's own process, so every part count, field
name, dtype name and forbidden-shortcut report it sends is a claim. Cleaned and bounded on arrival
(``protocol.clean_reply``), and never worth a point the values did not earn."""
from __future__ import annotations

import time

import numpy as np
import pytest

from grader.core.model import ExerciseStatus
from grader.engine.grading import GradeOptions, grade_source
from grader.engine.verify import verify_case
from grader.sandbox import protocol
from grader.sandbox.runner import Limits
from output_kinds import REFERENCE, build_kinds_lesson
from forgery import FORGER


@pytest.fixture(scope="module")
def kinds(tmp_path_factory):
    return build_kinds_lesson(tmp_path_factory.mktemp("kinds"))


def _reply(**fields):
    return protocol.clean_reply({"id": "0.0", "status": "ok", **fields})


def test_a_forged_part_count_that_no_worker_sends_is_dropped():
    for count in (10**9, -1, 33, 2.0, "2", True, [2]):
        assert _reply(meta={"parts": count}).meta.parts is None, count
    assert _reply(meta={"parts": 32}).meta.parts == 32


def test_only_the_parts_a_tuple_may_have_are_kept():
    outputs = {f"value.{i}": np.zeros(1) for i in range(40)}
    kept = _reply(outputs={**outputs, "value.07": np.zeros(1), "value.": np.zeros(1), "value.-1": np.zeros(1)}).outputs
    assert set(kept) == {f"value.{i}" for i in range(32)}


def test_a_results_own_part_names_are_not_read():
    """Parts are named by the lesson's expected NamedTuple, never by what the submission's result calls them."""
    meta = _reply(meta={"parts": 2, "fields": ["\x1b[31m", "a b"]}).meta
    assert meta.parts == 2 and not hasattr(meta, "fields")


def test_a_dtype_that_is_not_one_is_dropped_and_the_arrays_own_dtype_is_judged(kinds):
    meta = _reply(meta={"dtypes": {"value": "float32; import os", "value.0": "object", "grad:0": 7, "junk": "float32",
                                   "value.1": "bfloat16"}}).meta
    assert dict(meta.dtypes) == {"value.1": "bfloat16"}
    # halve32 declares float32: a float64 array with a forged "float32" dtype beside it is still float64.
    case = kinds.exercise("halve32").checks[0].cases(kinds.reference, 2026)[0]
    forged = _reply(outputs={"value": np.asarray(case.expect, dtype=np.float64)},
                    meta={"type": "numpy.ndarray", "dtypes": {"value": "float32 "}})
    verdict = verify_case(case, forged, kinds.exercise("halve32"), kinds, hidden=False)
    assert verdict is not None and verdict.problem == "returned float64 values, expected float32"


def test_a_verdict_found_for_one_reply_is_never_given_to_another(kinds):
    """Verdicts are kept per distinct reply: a reply one bit away, or the same numbers with another dtype or
    shape, is judged on its own; the very same reply gets the very same verdict."""
    exercise = kinds.exercise("halve32")
    case = exercise.checks[0].cases(kinds.reference, 2026)[0]
    right = np.asarray(case.expect, dtype=np.float32)
    meta = {"type": "numpy.ndarray"}
    assert verify_case(case, _reply(outputs={"value": right}, meta=meta), exercise, kinds, hidden=False) is None
    flipped = right.copy()
    flipped.view(np.uint32).flat[0] ^= 1 << 22  # one bit of the first number's mantissa
    wrong = verify_case(case, _reply(outputs={"value": flipped}, meta=meta), exercise, kinds, hidden=False)
    assert wrong is not None and "expected" in wrong.problem
    as_float64 = verify_case(case, _reply(outputs={"value": right.astype(np.float64)}, meta=meta), exercise, kinds,
                             hidden=False)
    assert as_float64 is not None and as_float64.problem == "returned float64 values, expected float32"
    reshaped = verify_case(case, _reply(outputs={"value": right.reshape(-1, 1)}, meta=meta), exercise, kinds,
                           hidden=False)
    assert reshaped is not None
    assert verify_case(case, _reply(outputs={"value": right.copy()}, meta=meta), exercise, kinds, hidden=False) is None
    again = verify_case(case, _reply(outputs={"value": flipped.copy()}, meta=meta), exercise, kinds, hidden=False)
    assert again == wrong


def test_the_verdict_cache_keeps_no_large_reply(kinds):
    """A key holds its reply's bytes: a submission returning big arrays must not make the grader keep them."""
    from grader.engine import verify

    exercise = kinds.exercise("halve32")
    case = exercise.checks[0].cases(kinds.reference, 2026)[0]
    big = np.zeros(verify.MAX_CACHED_REPLY_BYTES // 8 + 1)  # just over the limit, wrong shape: a verdict all the same
    before = len(verify._VERDICTS._entries)
    for offset in range(5):
        verdict = verify_case(case, _reply(outputs={"value": big + offset}, meta={"type": "numpy.ndarray"}),
                              exercise, kinds, hidden=False)
        assert verdict is not None
    assert len(verify._VERDICTS._entries) == before


def test_a_tuple_claimed_but_not_sent_is_a_reply_that_cannot_be_read(kinds):
    exercise = kinds.exercise("attend")
    case = exercise.checks[0].cases(kinds.reference, 2026)[0]
    weights, output = case.expect
    claimed = _reply(outputs={"value.0": weights}, meta={"type": "tuple", "parts": 2})
    assert verify_case(case, claimed, exercise, kinds, hidden=False).problem == "the worker's reply could not be read"
    nothing = _reply(outputs={}, meta={"type": "tuple"})
    assert verify_case(case, nothing, exercise, kinds, hidden=False).problem == "the worker's reply could not be read"
    whole = _reply(outputs={"value.0": weights, "value.1": output}, meta={"type": "tuple", "parts": 2})
    assert verify_case(case, whole, exercise, kinds, hidden=False) is None


def test_forbidden_reports_are_cleaned_and_only_the_exercises_own_names_count(kinds):
    names = _reply(forbidden=["torch.softmax", "torch softmax", 5, "a" * 1000, "torch.softmax", "os.system\n"] +
                   [f"m.f{i}" for i in range(100)]).forbidden
    assert names[0] == "torch.softmax" and len(names) <= protocol.MAX_FORBIDDEN
    assert all(protocol._DOTTED.fullmatch(n) for n in names) and names.count("torch.softmax") == 1
    # A report is the worker's word about its own call: a name the exercise does not forbid changes nothing
    # (mean_value forbids none), a name it forbids fails that one case of the submission that sent it.
    exercise = kinds.exercise("mean_value")
    case = exercise.checks[0].cases(kinds.reference, 2026)[0]
    right = {"outputs": {"value": np.asarray(case.expect)}, "meta": {"type": "float"}}
    assert verify_case(case, _reply(**right, forbidden=["torch.softmax", "numpy.mean"]), exercise, kinds, False) is None
    softmax = kinds.exercise("row_softmax")
    case = softmax.checks[0].cases(kinds.reference, 2026)[0]
    forged = _reply(outputs={"value": np.asarray(case.expect)}, meta={"type": "torch.Tensor", "requires_grad": True},
                    forbidden=["torch.Tensor.softmax"])
    assert verify_case(case, forged, softmax, kinds, False).problem == \
        "calls torch.Tensor.softmax, which this exercise asks you to write yourself"


def test_a_huge_tuple_is_refused_in_the_worker_quickly(kinds):
    huge = REFERENCE + "\n\ndef attend(scores, values):\n    return tuple(range(10**6))\n"
    started = time.monotonic()
    report = grade_source("kinds.py", huge.encode(), kinds, GradeOptions(exercises=("attend",), limits=Limits(timeout=5)))
    assert time.monotonic() - started < 30
    (check,) = report.exercises[0].checks
    assert not check.passed and "returned a tuple of 1000000 parts, expected 2" in check.message




def test_forged_tuple_replies_neither_crash_the_grader_nor_earn_the_points(kinds):
    forged = ('{"id": "0.0", "status": "ok", "outputs": {}, "meta": {"type": "tuple", "parts": 1000000000, '
              '"fields": ["a b"] * 5000, "dtypes": {"value.0": "x" * 10000}}, "forbidden": ["a.b"] * 5000}')
    source = REFERENCE + FORGER + f"\n\n_real = attend\n\ndef attend(scores, values):\n    _forge({forged})\n" \
        "    return _real(scores, values)\n"
    report = grade_source("kinds.py", source.encode(), kinds, GradeOptions(exercises=("attend",), limits=Limits(timeout=5)))
    result = report.exercises[0]
    assert result.score == 0 and result.status in (ExerciseStatus.FAILED, ExerciseStatus.ERROR)


@pytest.mark.parametrize("claimed", ["float32", "bfloat16"])
def test_a_dtype_claim_never_overrides_what_the_array_itself_says(kinds, claimed):
    """A torch dtype is reported only where the array cannot say (bfloat16 travels as float32): a float64 array
    with an exact "float32" (or "bfloat16") claim beside it is float64, and halve32 declares float32."""
    exercise = kinds.exercise("halve32")
    case = exercise.checks[0].cases(kinds.reference, 2026)[0]
    forged = _reply(outputs={"value": np.asarray(case.expect, dtype=np.float64)},
                    meta={"type": "torch.Tensor", "dtypes": {"value": claimed}})
    verdict = verify_case(case, forged, exercise, kinds, hidden=False)
    assert verdict is not None and verdict.problem == "returned float64 values, expected float32"
    honest = _reply(outputs={"value": np.asarray(case.expect, dtype=np.float32)},
                    meta={"type": "torch.Tensor", "dtypes": {"value": "float32"}})
    assert verify_case(case, honest, exercise, kinds, hidden=False) is None
