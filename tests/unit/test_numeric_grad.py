"""Expected gradients computed on the trusted side (core.numeric_grad, Case.value_of): right where the function
is smooth, refused where it is not, recorded by grade release as one answer each and replayed in the copy."""
from __future__ import annotations

import types
from typing import NamedTuple

import numpy as np
import pytest

from grader.core.checks import Case, Tensor
from grader.core.errors import UsageError
from grader.core.numeric_grad import numeric_gradients
from grader.course.expectations import RecordingReference, ReplayReference, save_expectations


class Attention(NamedTuple):
    output: np.ndarray
    weights: np.ndarray


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attention(q: np.ndarray, k: np.ndarray, v: np.ndarray, mask: np.ndarray | None = None) -> Attention:
    scores = q @ k.T / np.sqrt(q.shape[-1])
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = softmax(scores)
    return Attention(weights @ v, weights)


def softmax_vjp(z: np.ndarray, g: np.ndarray) -> np.ndarray:
    p = softmax(z)
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


def close(got: np.ndarray, expected: np.ndarray) -> bool:
    return bool(np.allclose(got, expected, rtol=1e-8, atol=1e-10))


def test_the_vector_jacobian_product_of_a_smooth_function_matches_its_formula():
    rng = np.random.default_rng(3)
    z = rng.normal(0, 3, size=(3, 5))
    g = rng.normal(0, 1, size=(3, 5))
    assert close(numeric_gradients(softmax, (z,), g)[0], softmax_vjp(z, g))
    x = np.array([[-1.5, 0.25], [2.0, 40.0]])
    assert close(numeric_gradients(lambda a: a ** 3, (x,))[0], 3 * x ** 2)  # no grad_output: ones
    # Inputs around 30 (scores in the hundreds, a saturated softmax): still right to the last digits.
    big = rng.normal(30, 1, size=(2, 4))
    assert close(numeric_gradients(lambda a: softmax(a * 30), (big,), g[:2, :4])[0], 30 * softmax_vjp(big * 30, g[:2, :4]))


def test_arguments_parts_and_per_part_gradients():
    rng = np.random.default_rng(5)
    q, k, v = rng.normal(size=(2, 3)), rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    g = rng.normal(size=(2, 2))
    by_name = numeric_gradients(attention, (q, k, v), g, part="output")
    assert sorted(by_name) == [0, 1, 2]  # every float array when no Tensor requires grad
    assert close(by_name[2], attention(q, k, v).weights.T @ g)  # d(weights @ v)/dv
    by_index = numeric_gradients(attention, (q, k, v), g, argnums=(2,), part=0)
    assert list(by_index) == [2] and close(by_index[2], by_name[2])
    # A tuple result backpropagates per part, None for a part that is not, as Case.grad_output says.
    per_part = numeric_gradients(attention, (q, k, v), (g, None), argnums=(2,))
    assert close(per_part[2], by_name[2])
    # Tensor arguments: those that require grad are differentiated; a bool mask is passed as it is.
    mask = np.array([[True, False, True, True], [True, True, False, True]])
    marked = numeric_gradients(attention, (Tensor(q, "float64", requires_grad=True), Tensor(k, "float64"),
                                           Tensor(v, "float64", requires_grad=True), Tensor(mask, "bool")), g, part="output")
    assert sorted(marked) == [0, 2]
    assert close(marked[2], attention(q, k, v, mask).weights.T @ g)


@pytest.mark.parametrize("function, x, entry", [
    (lambda a: np.maximum(a, 0.0), np.array([0.0, 1.0]), "argument 0, entry [0]"),  # relu at 0
    (lambda a: a.max(axis=-1), np.array([[1.0, 0.5, 1.0]]), "argument 0, entry [0, 0]"),  # a tie under max
    (np.abs, np.array([2.0, 1e-5]), "argument 0, entry [1]"),  # a kink nearer than the steps reach
])
def test_a_point_where_the_function_is_not_differentiable_is_refused(function, x, entry):
    with pytest.raises(ValueError, match="not differentiable there") as error:
        numeric_gradients(function, (x,))
    assert entry in str(error.value)
    assert close(numeric_gradients(np.abs, (np.array([2.0, -0.01]),))[0], np.array([1.0, -1.0]))  # away from it: fine


@pytest.mark.parametrize("call, message", [
    (lambda: numeric_gradients(softmax, (np.ones((2, 3)),), np.ones((3, 2))), r"grad_output has shape \(3, 2\), the result \(2, 3\)"),
    (lambda: numeric_gradients(softmax, (np.ones((2, 3)),), argnums=(1,)), "argnums names argument 1; the call has 1"),
    (lambda: numeric_gradients(len, ("text",)), "no argument to differentiate"),
    (lambda: numeric_gradients(attention, (np.ones((1, 2)),) * 3, part="scores"), "no part 'scores'"),
    (lambda: numeric_gradients(attention, (np.ones((1, 2)),) * 3, np.ones((1, 2))), "a tuple of 2: give grad_output per part"),
    (lambda: numeric_gradients(np.log, (np.array([0.0, 1.0]),)), "not finite"),
])
def test_a_mistake_of_the_author_is_one_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def _attention_case(function, g):
    rng = np.random.default_rng(11)
    q, k, v = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 4))
    mask = np.tril(np.ones((3, 3), dtype=bool))
    return Case((Tensor(q, "float64", requires_grad=True), Tensor(k, "float64", requires_grad=True),
                 Tensor(v, "float64", requires_grad=True), Tensor(mask, "bool")), "attention",
                attention(q, k, v, mask).output, grad_output=g, grad_flows=True, value_of=(function, "output"))


def test_value_of_fills_expect_grad_and_never_reaches_the_worker():
    g = np.random.default_rng(2).normal(size=(3, 4))
    case = _attention_case(attention, g)
    q, k, v, mask = case.plain_args()
    assert sorted(case.expect_grad) == [0, 1, 2]
    assert close(case.expect_grad[2], attention(q, k, v, mask).weights.T @ g)
    assert close(case.expect_grad[0][0], np.zeros(2))  # the first query sees one key: its weights are constant
    call = case.call("0.0")
    assert set(call) == {"id", "mode", "args", "kwargs", "return_args", "grad_output", "grad_flows"}
    assert "value_of" not in repr(case)
    # Ones when there is no grad_output, as the worker backpropagates for grad_flows.
    ones = _attention_case(attention, None)
    assert close(ones.expect_grad[2], attention(q, k, v, mask).weights.T @ np.ones((3, 4)))


@pytest.mark.parametrize("changes, message", [
    ({"grad_flows": False}, "give grad_flows=True"),
    ({"expect_grad": {0: np.zeros(2)}}, "give one"),
    ({"args": (Tensor(np.ones(2), "float64"),)}, "no argument is a Tensor with requires_grad=True"),
    ({"value_of": "attention"}, "a function of the case's arguments"),
])
def test_value_of_is_refused_where_it_cannot_say_the_gradient(changes, message):
    fields = {"args": (Tensor(np.ones(2), "float64", requires_grad=True),), "describe": "x", "expect": np.ones(2),
              "grad_flows": True, "value_of": np.exp, **changes}
    with pytest.raises(ValueError, match=message):
        Case(**fields)


def test_a_release_records_each_gradient_as_one_answer_and_the_copy_replays_it(tmp_path):
    module = types.ModuleType("reference")
    module.attention = attention  # type: ignore[attr-defined]
    g = np.random.default_rng(2).normal(size=(3, 4))
    recorder = RecordingReference(module)
    recorded = _attention_case(recorder.attention, g)
    assert len(recorder.calls) == 1  # the gradient, not each of the hundreds of evaluations it took
    assert save_expectations(tmp_path, recorder, "lesson", 2026) == 1
    replay = ReplayReference.load(tmp_path)
    replayed = _attention_case(replay.attention, g)
    assert sorted(replayed.expect_grad) == [0, 1, 2]
    assert all(np.array_equal(replayed.expect_grad[i], recorded.expect_grad[i]) for i in range(3))
    with pytest.raises(UsageError, match="expected gradients were recorded at release"):
        _attention_case(replay.attention, 2 * g)  # another question than was recorded
