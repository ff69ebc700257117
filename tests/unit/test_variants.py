"""Sanity of the test data in variants.py: the reference, the stub, the mistakes and the alternatives.

These tests run submissions in-process because they test test data, not grading.
"""
from __future__ import annotations

import ast
import importlib.util
import inspect
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch

from variants import ALTERNATIVES, MISTAKES, REFERENCE, STUB, build_submission

LESSON_LOGITS = np.array([3.0, 1.0, 0.0])  # refund, reship, escalate
RESHIP = 1
REPLY_LOGITS = np.array([[3.0, 1.0, 0.0], [0.5, 0.0, 2.0]])  # vocabulary: refund, reship, today
REPLY_TARGETS = np.array([1, 2])
IRREGULAR_ROWS_NEAR_1E4 = np.array([[10003.1, 10001.7, 10000.2], [10000.55, 10000.0, 10002.3]])  # float32 rounds their gaps


def load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"submission_{abs(hash(path))}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference() -> ModuleType:
    return load(REFERENCE)


def variant(tmp_path: Path, table: dict[str, tuple[str, str]], variant_id: str) -> Callable[..., Any]:
    function, source = table[variant_id]
    module = load(build_submission(tmp_path, {function: source}))
    assert callable(getattr(module, function))
    return getattr(module, function)


def as_array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().numpy()
    return np.asarray(value, dtype=float)


def differs(got: Any, expected: Any) -> bool:
    got, expected = as_array(got), as_array(expected)
    return got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-6, atol=1e-9)


def torch_loss_and_grad(function: Callable[..., Any], logits: np.ndarray, targets: np.ndarray) -> tuple[Any, Any]:
    leaf = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    loss = function(leaf, torch.tensor(targets, dtype=torch.long))
    if isinstance(loss, torch.Tensor) and loss.requires_grad:
        loss.backward()
    return loss, leaf.grad


def cubic(x: np.ndarray) -> float:
    return float(np.sum(x**3))


def reship_loss(x: np.ndarray) -> float:
    shifted = x - np.max(x)
    return float(np.log(np.exp(shifted).sum()) - shifted[RESHIP])


def sequence_batch(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, 3, 3)), rng.integers(0, 3, size=(2, 3))  # B = 2, T = V = 3


# ---------------------------------------------------------------- reference and stub

def test_reference_reproduces_the_lesson(reference: ModuleType) -> None:
    r = reference
    assert np.round(r.stable_softmax(LESSON_LOGITS), 3).tolist() == [0.844, 0.114, 0.042]
    assert np.allclose(r.stable_softmax(LESSON_LOGITS + 997.0), r.stable_softmax(LESSON_LOGITS))
    assert round(r.cross_entropy_from_logits(LESSON_LOGITS, RESHIP), 3) == 2.17
    assert round(r.cross_entropy_from_logits(LESSON_LOGITS + 1000.0, RESHIP), 3) == 2.17
    assert round(r.cross_entropy_from_logits(np.array([1.0, 0.0, -2.0]), 1), 3) == 1.349
    assert round(r.cross_entropy_from_logits(np.array([1.0, 0.0, -2.0]), 0), 3) == 0.349
    assert r.cross_entropy_from_logits(np.array([0.0, -2000.0]), 1) == 2000.0
    assert np.round(r.cross_entropy_gradient(LESSON_LOGITS, RESHIP), 3).tolist() == [0.844, -0.886, 0.042]
    rows = {t: np.round(r.softmax_with_temperature(LESSON_LOGITS, t), 3).tolist() for t in (0.5, 1.0, 2.0)}
    assert rows == {0.5: [0.98, 0.018, 0.002], 1.0: [0.844, 0.114, 0.042], 2.0: [0.629, 0.231, 0.14]}
    assert np.round(r.per_position_cross_entropy(REPLY_LOGITS, REPLY_TARGETS), 3).tolist() == [2.17, 0.306]
    assert round(r.sequence_mean_loss(REPLY_LOGITS, REPLY_TARGETS), 3) == 1.238
    numeric = r.finite_difference_gradient(reship_loss, LESSON_LOGITS)
    assert np.allclose(numeric, r.cross_entropy_gradient(LESSON_LOGITS, RESHIP), atol=1e-6)
    loss, grad = torch_loss_and_grad(r.torch_classification_loss, LESSON_LOGITS[None], np.array([RESHIP]))
    assert round(loss.item(), 3) == 2.17
    assert np.allclose(grad.numpy()[0], r.cross_entropy_gradient(LESSON_LOGITS, RESHIP))
    loss, _ = torch_loss_and_grad(r.torch_sequence_loss, REPLY_LOGITS[None], REPLY_TARGETS[None])
    assert round(loss.item(), 3) == 1.238


def test_reference_is_stable_and_leaves_inputs_alone(reference: ModuleType) -> None:
    r = reference
    mixed = np.array([[1e4, 0.0, -1e4], [-1e4, -1e4 - 1.0, -1e4 - 3.0], [0.5, 0.0, 2.0]])
    before = mixed.copy()
    for axis in (0, 1, -1):
        probabilities = r.stable_softmax(mixed, axis=axis)
        assert np.isfinite(probabilities).all() and np.allclose(probabilities.sum(axis=axis), 1.0)
    assert np.allclose(r.stable_softmax(mixed)[1], r.stable_softmax(np.array([0.0, -1.0, -3.0])))
    assert np.array_equal(mixed, before)
    cube = np.arange(24.0).reshape(2, 3, 4)
    assert np.allclose(r.stable_softmax(cube, axis=1), np.moveaxis(r.stable_softmax(np.moveaxis(cube, 1, -1)), -1, 1))
    x = REPLY_LOGITS.copy()
    assert np.allclose(r.finite_difference_gradient(cubic, x), 3 * REPLY_LOGITS**2)
    assert np.array_equal(x, REPLY_LOGITS)
    with pytest.raises(ValueError):
        r.softmax_with_temperature(LESSON_LOGITS, 0.0)


def test_reference_does_not_import_torch_at_module_level() -> None:
    tree = ast.parse(REFERENCE.read_text(encoding="utf-8"))
    imported = {alias.name.split(".")[0] for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    imported |= {(node.module or "").split(".")[0] for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert "torch" not in imported


def test_stub_mirrors_the_reference_and_raises(reference: ModuleType) -> None:
    stub = load(STUB)
    public = [name for name, f in vars(reference).items() if inspect.isfunction(f) and not name.startswith("_")]
    assert len(public) == 9
    for name in public:
        stub_function = getattr(stub, name)
        assert list(inspect.signature(stub_function).parameters) == list(inspect.signature(getattr(reference, name)).parameters)
        arguments = [None] * len([p for p in inspect.signature(stub_function).parameters.values() if p.default is p.empty])
        with pytest.raises(NotImplementedError):
            stub_function(*arguments)


# ---------------------------------------------------------------- build_submission

def test_build_submission_replaces_only_the_named_function(tmp_path: Path) -> None:
    path = build_submission(tmp_path, {"sequence_mean_loss": "def sequence_mean_loss(logits, targets):\n    return 7.0\n"},
                            base=STUB, prelude="GREETING = 'hi'")
    module = load(path)
    assert module.sequence_mean_loss(None, None) == 7.0 and module.GREETING == "hi"
    with pytest.raises(NotImplementedError):
        module.stable_softmax(LESSON_LOGITS)
    assert "import solutions" not in path.read_text()
    with pytest.raises(KeyError):
        build_submission(tmp_path, {"no_such_function": "def no_such_function():\n    pass\n"})
    with pytest.raises(ValueError):
        build_submission(tmp_path, {"stable_softmax": "def something_else():\n    pass\n"})


# ---------------------------------------------------------------- mistakes differ from the reference

def _differs_on(function_name: str, *arguments: Any) -> Callable[[Callable[..., Any], ModuleType], None]:
    def probe(student: Callable[..., Any], reference: ModuleType) -> None:
        copies = [a.copy() if isinstance(a, np.ndarray) else a for a in arguments]
        with np.errstate(all="ignore"):
            got = student(*copies)
        assert differs(got, getattr(reference, function_name)(*arguments))
    return probe


def _torch_differs_on(function_name: str, logits: np.ndarray, targets: np.ndarray) -> Callable[..., None]:
    def probe(student: Callable[..., Any], reference: ModuleType) -> None:
        got_loss, got_grad = torch_loss_and_grad(student, logits, targets)
        loss, grad = torch_loss_and_grad(getattr(reference, function_name), logits, targets)
        assert differs(got_loss, loss) or got_grad is None or differs(got_grad, grad)
    return probe


def _mutates_input(student: Callable[..., Any], reference: ModuleType) -> None:
    logits = LESSON_LOGITS.copy()
    probabilities = student(logits)
    assert not np.array_equal(logits, LESSON_LOGITS)
    assert not differs(probabilities, reference.stable_softmax(LESSON_LOGITS))


def _changes_input(function_name: str, *arguments: Any) -> Callable[[Callable[..., Any], ModuleType], None]:
    """Right values, but the caller's first argument (the logits) comes back changed."""
    def probe(student: Callable[..., Any], reference: ModuleType) -> None:
        given = arguments[0].copy()
        got = student(given, *arguments[1:])
        assert not np.array_equal(given, arguments[0])
        assert not differs(got, getattr(reference, function_name)(*arguments))
    return probe


def _no_temperature_check(student: Callable[..., Any], reference: ModuleType) -> None:
    with pytest.raises(ValueError):
        reference.softmax_with_temperature(LESSON_LOGITS, 0.0)
    with np.errstate(all="ignore"):
        student(LESSON_LOGITS, 0.0)
    assert not differs(student(LESSON_LOGITS, 2.0), reference.softmax_with_temperature(LESSON_LOGITS, 2.0))


def _x_left_modified(student: Callable[..., Any], reference: ModuleType) -> None:
    x = LESSON_LOGITS.copy()
    student(reship_loss, x)
    assert not np.array_equal(x, LESSON_LOGITS)


def _detached(function_name: str, logits: np.ndarray, targets: np.ndarray) -> Callable[..., None]:
    def probe(student: Callable[..., Any], reference: ModuleType) -> None:
        got, grad = torch_loss_and_grad(student, logits, targets)
        assert not got.requires_grad and grad is None
        assert not differs(got, torch_loss_and_grad(getattr(reference, function_name), logits, targets)[0])
    return probe


def coupled(x: np.ndarray) -> float:
    """Not separable: calling it on one element instead of the whole array gives another slope."""
    return float(np.sum(x) ** 2)


def _calls_backward(function_name: str, logits: np.ndarray, targets: np.ndarray) -> Callable[..., None]:
    def probe(student: Callable[..., Any], reference: ModuleType) -> None:
        try:
            got_loss, got_grad = torch_loss_and_grad(student, logits, targets)
        except RuntimeError as error:  # the caller's backward finds the graph freed
            assert "backward through the graph a second time" in str(error)
            return
        loss, grad = torch_loss_and_grad(getattr(reference, function_name), logits, targets)
        assert not differs(got_loss, loss) and differs(got_grad, grad)  # retain_graph=True: the gradient twice
    return probe


def _asserts_temperature(student: Callable[..., Any], reference: ModuleType) -> None:
    with pytest.raises(AssertionError):  # refused, but not with the ValueError of the contract
        student(LESSON_LOGITS, -1.0)
    assert not differs(student(LESSON_LOGITS, 2.0), reference.softmax_with_temperature(LESSON_LOGITS, 2.0))


def _clamps_temperature(student: Callable[..., Any], reference: ModuleType) -> None:
    assert np.allclose(student(LESSON_LOGITS, -1.0), [1.0, 0.0, 0.0])  # no ValueError: a one-hot instead
    assert not differs(student(LESSON_LOGITS, 2.0), reference.softmax_with_temperature(LESSON_LOGITS, 2.0))


def _calls_f_on_an_element(student: Callable[..., Any], reference: ModuleType) -> None:
    with pytest.raises(IndexError):
        student(reship_loss, LESSON_LOGITS.copy())  # the loss indexes its argument: a float cannot be indexed
    _differs_on("finite_difference_gradient", coupled, np.array([1.0, 2.0, 3.0]))(student, reference)


def _x_drifts(student: Callable[..., Any], reference: ModuleType) -> None:
    original = np.random.default_rng(0).uniform(-2, 2, size=20)
    x = original.copy()
    student(cubic, x)
    assert not np.array_equal(x, original) and np.allclose(x, original, rtol=1e-14, atol=0)


def _targets_not_flattened(student: Callable[..., Any], reference: ModuleType) -> None:
    with pytest.raises(ValueError, match="to match target batch_size"):
        torch_loss_and_grad(student, SEQUENCE_LOGITS, SEQUENCE_TARGETS)


def _one_loss_per_sequence(student: Callable[..., Any], reference: ModuleType) -> None:
    loss = student(torch.tensor(SEQUENCE_LOGITS, requires_grad=True), torch.tensor(SEQUENCE_TARGETS, dtype=torch.long))
    assert tuple(loss.shape) == SEQUENCE_TARGETS.shape[:1]


def _one_loss_per_example(student: Callable[..., Any], reference: ModuleType) -> None:
    loss = student(torch.tensor(REPLY_LOGITS, requires_grad=True), torch.tensor(REPLY_TARGETS, dtype=torch.long))
    assert tuple(loss.shape) == REPLY_TARGETS.shape


def _refuses_a_batch(student: Callable[..., Any], reference: ModuleType) -> None:
    assert not differs(student(LESSON_LOGITS.copy()), reference.stable_softmax(LESSON_LOGITS))
    with pytest.raises(AssertionError):
        student(REPLY_LOGITS.copy())


def _refuses_one_example(student: Callable[..., Any], reference: ModuleType) -> None:
    assert not differs(student(REPLY_LOGITS.copy()), reference.stable_softmax(REPLY_LOGITS))
    with pytest.raises(ValueError):
        student(LESSON_LOGITS.copy())


def _shifts_in_place(function_name: str, logits: np.ndarray, targets: np.ndarray) -> Callable[..., None]:
    """Changes a leaf logits tensor in place, which torch refuses."""
    def probe(student: Callable[..., Any], reference: ModuleType) -> None:
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad is being used in an in-place"):
            torch_loss_and_grad(student, logits, targets)
    return probe


def _refuses(function_name: str, error: type[Exception], *args: Any) -> Callable[..., None]:
    """Raises for arguments of a type the contract allows (an int temperature, int32 targets)."""
    def probe(student: Callable[..., Any], reference: ModuleType) -> None:
        getattr(reference, function_name)(*args)  # the reference takes them
        with pytest.raises(error):
            student(*args)
    return probe


MIXED_SCALE_ROWS = np.array([[1000.0, 999.0, 998.0], [0.0, -1.0, -2.0]])
FAR_TARGET_ROWS = np.array([[3.0, -2000.0, 0.0], [0.5, 0.0, 2.0]])  # the first target's probability underflows
SEQUENCE_LOGITS, SEQUENCE_TARGETS = sequence_batch()

MISTAKE_PROBES: dict[str, Callable[[Callable[..., Any], ModuleType], None]] = {
    "no_max_shift": _differs_on("stable_softmax", LESSON_LOGITS + 997.0),
    "global_max": _differs_on("stable_softmax", MIXED_SCALE_ROWS),
    "wrong_axis": _differs_on("stable_softmax", REPLY_LOGITS),
    "mutates_input": _mutates_input,
    "temperature_multiplied": _differs_on("softmax_with_temperature", LESSON_LOGITS, 0.5),
    "no_temperature_check": _no_temperature_check,
    "neg_log_softmax": _differs_on("cross_entropy_from_logits", np.array([0.0, -2000.0]), 1),
    "clipped_log": _differs_on("cross_entropy_from_logits", np.array([0.0, -2000.0]), 1),
    "gradient_sign_flipped": _differs_on("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "gradient_without_softmax": _differs_on("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "fancy_index_table": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "sum_not_mean": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "forward_difference": _differs_on("finite_difference_gradient", cubic, np.array([1.0, 2.0, 3.0])),
    "x_left_modified": _x_left_modified,
    "softmax_before_loss": _torch_differs_on("torch_classification_loss", LESSON_LOGITS[None], np.array([RESHIP])),
    "detached_result": _detached("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "reduction_sum": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "unreshaped_sequence": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_reduction_sum": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_softmax_before_loss": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_detached_result": _detached("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "whole_array_normalised": _differs_on("stable_softmax", REPLY_LOGITS),
    "shift_numerator_only": _differs_on("stable_softmax", LESSON_LOGITS),
    "one_example_only": _refuses_a_batch,
    "temperature_no_max_shift": _differs_on("softmax_with_temperature", LESSON_LOGITS + 1000.0, 0.5),
    "temperature_whole_array": _differs_on("softmax_with_temperature", REPLY_LOGITS, 2.0),
    "temperature_clamped": _clamps_temperature,
    "temperature_ignores_axis": _differs_on("softmax_with_temperature", REPLY_LOGITS, 2.0, 0),
    "temperature_shift_numerator_only": _differs_on("softmax_with_temperature", LESSON_LOGITS, 0.5),
    "positions_log_of_softmax": _differs_on("per_position_cross_entropy", np.array([[0.0, -2000.0]]), np.array([1])),
    "logsumexp_no_shift": _differs_on("cross_entropy_from_logits", LESSON_LOGITS + 1000.0, RESHIP),
    "probability_plus_epsilon": _differs_on("cross_entropy_from_logits", np.array([0.0, -2000.0]), 1),
    "gradient_no_max_shift": _differs_on("cross_entropy_gradient", LESSON_LOGITS + 1000.0, RESHIP),
    "fancy_index_broadcast": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "positions_no_max_shift": _differs_on("per_position_cross_entropy", REPLY_LOGITS + 1000.0, REPLY_TARGETS),
    "positions_negated": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "mean_loss_no_max_shift": _differs_on("sequence_mean_loss", REPLY_LOGITS + 1000.0, REPLY_TARGETS),
    "mean_loss_negated": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "fixed_step": _differs_on("finite_difference_gradient", cubic, np.array([1.0, 2.0, 3.0]), 0.1),
    "perturbs_whole_row": _differs_on("finite_difference_gradient", cubic, REPLY_LOGITS),
    "perturbs_all_elements": _differs_on("finite_difference_gradient", cubic, np.array([1.0, 2.0, 3.0])),
    "f_on_a_slice": _calls_f_on_an_element,
    "x_restored_by_arithmetic": _x_drifts,
    "sequence_reshaped_not_transposed": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_targets_not_flattened": _targets_not_flattened,
    "sequence_loss_per_sequence": _one_loss_per_sequence,
    "loss_per_example": _one_loss_per_example,
    "sequence_flat_index": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_loss_negated": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_sum_over_batch": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "temperature_wrong_exception": _asserts_temperature,
    "loss_averaged_over_classes": _differs_on("cross_entropy_from_logits", LESSON_LOGITS, RESHIP),
    "cross_entropy_negated": _differs_on("cross_entropy_from_logits", LESSON_LOGITS, RESHIP),
    "gradient_missing_one_hot": _differs_on("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "positions_averaged_over_vocabulary": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "mean_loss_averaged_over_vocabulary": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "central_difference_missing_two": _differs_on("finite_difference_gradient", cubic, np.array([1.0, 2.0, 3.0])),
    "nll_loss_on_logits": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "sequence_nll_loss_on_logits": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "torch_loss_averaged_over_classes": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "torch_loss_no_max_shift": _torch_differs_on("torch_classification_loss", REPLY_LOGITS + 1000.0, REPLY_TARGETS),
    "sequence_loss_averaged_over_vocabulary": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "softmax_in_float32": _differs_on("stable_softmax", np.array([10003.1, 10001.7, 10000.2])),
    "temperature_in_float32": _differs_on("softmax_with_temperature", np.array([1003.1, 1001.7, 1000.2]), 0.5),
    "loss_in_float32": _differs_on("cross_entropy_from_logits", np.array([10003.1, 10001.7, 10000.2]), RESHIP),
    "gradient_in_float32": _differs_on("cross_entropy_gradient", np.array([1003.1, 1001.7, 1000.2]), RESHIP),
    "positions_in_float32": _differs_on("per_position_cross_entropy", IRREGULAR_ROWS_NEAR_1E4, REPLY_TARGETS),
    "mean_loss_in_float32": _differs_on("sequence_mean_loss", IRREGULAR_ROWS_NEAR_1E4, REPLY_TARGETS),
    "temperature_floor_division": _differs_on("softmax_with_temperature", LESSON_LOGITS, 2.0),
    "positions_wrong_axis": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "positions_global_max": _differs_on("per_position_cross_entropy", np.array([[0.0, 1.0], [-2000.0, -2001.0]]),
                                        np.array([0, 1])),
    "mean_loss_fancy_index_table": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "mean_loss_floor_division": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "difference_precedence": _differs_on("finite_difference_gradient", cubic, np.array([1.0, 2.0, 3.0])),
    "log_softmax_over_batch": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "sequence_log_softmax_over_positions": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_sum_over_sequences": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "differences_in_float32": _differs_on("finite_difference_gradient", cubic, np.array([1.1, 2.3, 3.7])),
    "backward_inside": _calls_backward("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "sequence_backward_inside": _calls_backward("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "logits_shifted_in_place": _shifts_in_place("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "sequence_logits_shifted_in_place": _shifts_in_place("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "temperature_after_softmax": _differs_on("softmax_with_temperature", LESSON_LOGITS, 0.5),
    "temperature_ignored": _differs_on("softmax_with_temperature", LESSON_LOGITS, 0.5),
    "loss_argmax_target": _differs_on("cross_entropy_from_logits", LESSON_LOGITS, RESHIP),
    "loss_summed_over_classes": _differs_on("cross_entropy_from_logits", LESSON_LOGITS, RESHIP),
    "gradient_argmax_target": _differs_on("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "gradient_averaged_over_classes": _differs_on("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "gradient_log_probabilities": _differs_on("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "gradient_sigmoid_derivative": _differs_on("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "gradient_through_reciprocal": _differs_on("cross_entropy_gradient", np.array([0.0, -2000.0, 1.0]), RESHIP),
    "positions_clipped": _differs_on("per_position_cross_entropy", FAR_TARGET_ROWS, REPLY_TARGETS),
    "positions_argmax_target": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "positions_summed_over_classes": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "mean_loss_log_of_softmax": _differs_on("sequence_mean_loss", FAR_TARGET_ROWS, REPLY_TARGETS),
    "mean_loss_clipped": _differs_on("sequence_mean_loss", FAR_TARGET_ROWS, REPLY_TARGETS),
    "mean_loss_argmax_target": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "mean_loss_summed_over_classes": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "difference_times_epsilon": _differs_on("finite_difference_gradient", cubic, np.array([1.0, 2.0, 3.0])),
    "torch_log_of_softmax": _torch_differs_on("torch_classification_loss", FAR_TARGET_ROWS, REPLY_TARGETS),
    "torch_loss_clipped": _torch_differs_on("torch_classification_loss", FAR_TARGET_ROWS, REPLY_TARGETS),
    "torch_ignore_index": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, np.array([0, 2])),
    "sequence_log_of_softmax": _torch_differs_on("torch_sequence_loss", FAR_TARGET_ROWS[None], REPLY_TARGETS[None]),
    "sequence_loss_clipped": _torch_differs_on("torch_sequence_loss", FAR_TARGET_ROWS[None], REPLY_TARGETS[None]),
    "sequence_ignore_index": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, np.array([[0, 1, 2], [2, 1, 0]])),
    "sequence_time_major": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "temperature_int_refused": _refuses("softmax_with_temperature", ValueError, LESSON_LOGITS, 2),
    "positions_int32_targets": _refuses("per_position_cross_entropy", RuntimeError, REPLY_LOGITS, REPLY_TARGETS.astype(np.int32)),
    "mean_loss_int32_targets": _refuses("sequence_mean_loss", RuntimeError, REPLY_LOGITS, REPLY_TARGETS.astype(np.int32)),
    "torch_in_float32": _torch_differs_on("torch_classification_loss", IRREGULAR_ROWS_NEAR_1E4, REPLY_TARGETS),
    "sequence_in_float32": _torch_differs_on("torch_sequence_loss", IRREGULAR_ROWS_NEAR_1E4[None], REPLY_TARGETS[None]),
    "sequence_shifted_targets": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "sequence_broadcast_index": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "torch_label_smoothing": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "sequence_label_smoothing": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "mean_loss_whole_array_normalised": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "temperature_mutates_input": _changes_input("softmax_with_temperature", LESSON_LOGITS, 0.5),
    "loss_mutates_input": _changes_input("cross_entropy_from_logits", LESSON_LOGITS, RESHIP),
    "gradient_mutates_input": _changes_input("cross_entropy_gradient", LESSON_LOGITS, RESHIP),
    "positions_mutates_input": _changes_input("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "mean_loss_mutates_input": _changes_input("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "positions_pad_token_zeroed": _differs_on("per_position_cross_entropy", REPLY_LOGITS, np.array([0, 2])),
    "mean_loss_pad_token_ignored": _differs_on("sequence_mean_loss", REPLY_LOGITS, np.array([0, 2])),
    "mean_loss_label_smoothing": _differs_on("sequence_mean_loss", REPLY_LOGITS, REPLY_TARGETS),
    "aliased_copies": _differs_on("finite_difference_gradient", cubic, np.array([1.0, 2.0, 3.0])),
    "loss_averaged_twice": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "binary_cross_entropy_one_hot": _torch_differs_on("torch_classification_loss", REPLY_LOGITS, REPLY_TARGETS),
    "sequence_last_position_only": _torch_differs_on("torch_sequence_loss", SEQUENCE_LOGITS, SEQUENCE_TARGETS),
    "positions_keepdims_table": _differs_on("per_position_cross_entropy", REPLY_LOGITS, REPLY_TARGETS),
    "batch_only": _refuses_one_example,
    "temperature_power_of_probabilities": _differs_on("softmax_with_temperature", np.array([0.0, -800.0, -5.0]), 100.0),
}


def test_every_mistake_has_a_probe() -> None:
    assert set(MISTAKE_PROBES) == set(MISTAKES)


@pytest.mark.parametrize("mistake_id", sorted(MISTAKES))
def test_mistake_differs_from_the_reference(mistake_id: str, tmp_path: Path, reference: ModuleType) -> None:
    MISTAKE_PROBES[mistake_id](variant(tmp_path, MISTAKES, mistake_id), reference)


def test_softmax_before_loss_gives_the_lessons_distorted_numbers(tmp_path: Path) -> None:
    student = variant(tmp_path, MISTAKES, "softmax_before_loss")
    loss, grad = torch_loss_and_grad(student, LESSON_LOGITS[None], np.array([RESHIP]))
    assert round(loss.item(), 3) == 1.387
    assert round(grad[0, RESHIP].item(), 3) == -0.127


# ---------------------------------------------------------------- alternatives agree with the reference

EXAMPLES: dict[str, list[tuple[Any, ...]]] = {
    "stable_softmax": [(LESSON_LOGITS,), (LESSON_LOGITS + 1e4,), (MIXED_SCALE_ROWS, 0), (np.arange(24.0).reshape(2, 3, 4), 1)],
    "cross_entropy_from_logits": [(LESSON_LOGITS, RESHIP), (np.array([0.0, -2000.0]), 1)],
    "cross_entropy_gradient": [(LESSON_LOGITS, RESHIP), (LESSON_LOGITS + 1000.0, 2)],
    "per_position_cross_entropy": [(REPLY_LOGITS, REPLY_TARGETS)],
    "finite_difference_gradient": [(reship_loss, LESSON_LOGITS), (cubic, REPLY_LOGITS)],
    "torch_classification_loss": [(LESSON_LOGITS[None], np.array([RESHIP])), (REPLY_LOGITS, REPLY_TARGETS)],
    "torch_sequence_loss": [(SEQUENCE_LOGITS, SEQUENCE_TARGETS), (REPLY_LOGITS[None], REPLY_TARGETS[None])],
}
TORCH_FUNCTIONS = {"torch_classification_loss", "torch_sequence_loss"}


@pytest.mark.parametrize("alternative_id", sorted(ALTERNATIVES))
def test_alternative_matches_the_reference(alternative_id: str, tmp_path: Path, reference: ModuleType) -> None:
    function_name = ALTERNATIVES[alternative_id][0]
    student = variant(tmp_path, ALTERNATIVES, alternative_id)
    for arguments in EXAMPLES[function_name]:
        if function_name in TORCH_FUNCTIONS:
            got_loss, got_grad = torch_loss_and_grad(student, *arguments)
            loss, grad = torch_loss_and_grad(getattr(reference, function_name), *arguments)
            assert not differs(got_loss, loss) and not differs(got_grad, grad)
        else:
            copies = [a.copy() if isinstance(a, np.ndarray) else a for a in arguments]
            assert not differs(student(*copies), getattr(reference, function_name)(*arguments))
            assert all(np.array_equal(c, a) for c, a in zip(copies, arguments) if isinstance(a, np.ndarray))
