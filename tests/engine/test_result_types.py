"""The type a NumPy function's result must come back in, the one its stub's return annotation promises
(verify.verify_case on replies as the worker sends them): ``-> np.ndarray`` an np.ndarray, ``-> float`` a number,
float64 from float64 inputs. A function without such an annotation, and every case with tensors, ask for no
container; float64 tensors in still ask for a float64 result."""
from __future__ import annotations

import numpy as np
import pytest

from grader.core.checks import Case, Tensor
from grader.engine.verify import promised_kind, verify_case
from grader.sandbox.protocol import CallReply, ReplyMeta, ReplyStatus

Z = np.array([[3.0, 1.0, 0.0], [0.5, 0.0, 2.0]])
P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)


def verdict(lesson, case, value, returned_type, exercise="stable_softmax"):
    reply = CallReply(ReplyStatus.OK, outputs={"value": np.asarray(value)}, meta=ReplyMeta(returned_type))
    found = verify_case(case, reply, lesson.exercise(exercise), lesson, hidden=False)
    return None if found is None else found.problem


def test_the_lesson_s_stubs_promise_arrays_and_floats(lesson):
    assert {name: promised_kind(lesson.promised_returns.get(name)) for name in
            ("stable_softmax", "cross_entropy_from_logits", "torch_classification_loss")} == \
        {"stable_softmax": "array", "cross_entropy_from_logits": "number", "torch_classification_loss": None}


@pytest.mark.parametrize("annotation, kind", [
    ("np.ndarray", "array"), ("numpy.ndarray", "array"), ("ndarray", "array"), ("npt.NDArray[np.float64]", "array"),
    ("NDArray", "array"), ("'np.ndarray'", "array"), ("float", "number"), ("np.float64", "number"),
    ("torch.Tensor", None), ("np.ndarray | float", None), ("list[float]", None), ("Any", None), (None, None),
    ("tuple[np.ndarray, float]", None),
])
def test_which_annotations_promise_a_type(annotation, kind):
    assert promised_kind(annotation) == kind


@pytest.mark.parametrize("value, returned_type, problem", [
    (P, "numpy.ndarray", None),
    (P, "list", "returned a list, not a NumPy array"),
    (P, "torch.Tensor", "returned a torch.Tensor, not a NumPy array"),
    (P, "tuple", "returned a tuple, not a NumPy array"),
    (P.astype(np.float32), "numpy.ndarray", "returned float32 values"),
    (P.astype(np.float16), "numpy.ndarray", None),  # float16 misses the tolerance: its values say so first
])
def test_an_array_result_comes_back_as_a_float64_numpy_array(lesson, value, returned_type, problem):
    found = verdict(lesson, Case((Z,), "two rows", P), value, returned_type)
    if problem is None and value.dtype == np.float16:
        assert found is not None and "returned float16" not in found
    elif problem is None:
        assert found is None
    else:
        assert found is not None and found.startswith(problem), found


@pytest.mark.parametrize("value, returned_type, problem", [
    (2.17, "float", None),
    (2.17, "numpy.float64", None),
    (2.17, "numpy.ndarray", None),  # 0-d
    (2, "int", None),
    (2.17, "torch.Tensor", "returned a torch.Tensor, not a number"),
    (2.17, "list", "returned a list, not a number"),
    (np.float32(2.17), "numpy.float32", "returned float32 values"),
])
def test_a_number_result_comes_back_as_a_number(lesson, value, returned_type, problem):
    expect = 2 if isinstance(value, int) else 2.17  # float32's 2.17 is within the default tolerance (1e-6)
    found = verdict(lesson, Case((Z[0], 1), "one row", expect), value, returned_type, "cross_entropy_from_logits")
    assert (found is None) if problem is None else (found is not None and found.startswith(problem)), found


def test_cases_that_ask_for_no_type(lesson, monkeypatch):
    # a case with tensors: a tensor or an array (torch work is judged by its gradients and declared dtypes)
    torch_case = Case((Tensor(Z, "float64"),), "two rows as a tensor", P)
    assert verdict(lesson, torch_case, P, "torch.Tensor") is None
    assert verdict(lesson, torch_case, P, "numpy.ndarray") is None
    # float32 tensors: a float32 result is theirs
    narrow_torch = Case((Tensor(Z, "float32"), Tensor(np.array([1, 2]), "int64")), "float32 rows", P)
    assert verdict(lesson, narrow_torch, P.astype(np.float32), "torch.Tensor") is None
    # float32 inputs: the expected numbers' width says nothing of the result's
    narrow = Z.astype(np.float32)
    assert verdict(lesson, Case((narrow,), "float32 rows", P), P.astype(np.float32), "numpy.ndarray") is None
    # a reply that names no type (an older or a forged one) is judged by its numbers alone
    assert verdict(lesson, Case((Z,), "two rows", P), P, "") is None
    # a function whose stub promises no type: any array-like of the right numbers
    monkeypatch.setitem(lesson.promised_returns, "stable_softmax", "Any")
    assert verdict(lesson, Case((Z,), "two rows", P), P, "list") is None
    assert verdict(lesson, Case((Z,), "two rows", P), P, "torch.Tensor") is None


def test_float64_tensors_call_for_a_float64_result(lesson):
    # loss.float() on a float64 batch: the right value to float32's 7 digits, within the default tolerance (1e-6)
    case = Case((Tensor(Z, "float64", requires_grad=True), Tensor(np.array([1, 2]), "int64")), "a float64 batch", 1.238)
    found = verdict(lesson, case, np.float32(1.238), "torch.Tensor")
    assert found is not None and found.startswith("returned float32 values") and "float64 tensors" in found, found
    assert verdict(lesson, case, np.float64(1.238), "torch.Tensor") is None
    # a reference whose own result is float32 on float64 tensors asks for no float64 one
    narrow_reference = Case((Tensor(Z, "float64", requires_grad=True), Tensor(np.array([1, 2]), "int64")),
                            "a float64 batch", np.float32(1.238))
    assert verdict(lesson, narrow_reference, np.float32(1.238), "torch.Tensor") is None
