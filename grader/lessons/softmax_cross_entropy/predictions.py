"""What each known-wrong implementation returns, so feedback can say which mistake an output shows.

Each prediction takes the reference module and a case and returns the outputs the mistake would
produce ("value", and "grad:0" for torch exercises), or None where the case cannot show it.
Mistakes seen through behaviour rather than values (a changed input, no ValueError, a detached
loss) are named by the cases themselves.
"""
from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np

from grader.checks import Case
from grader.lessons.softmax_cross_entropy.math import mean_loss_and_grad, softmax_then_loss

Outputs = dict[str, Any]


def _softmax_parts(case: Case) -> tuple[np.ndarray, int]:
    z = np.asarray(case.plain_args()[0], dtype=float)
    return z, int(case.kwargs.get("axis", -1))


def no_max_shift(ref: ModuleType, case: Case) -> Outputs:
    z, axis = _softmax_parts(case)
    e = np.exp(z)
    return {"value": e / e.sum(axis=axis, keepdims=True)}


def global_max(ref: ModuleType, case: Case) -> Outputs:
    z, axis = _softmax_parts(case)
    e = np.exp(z - z.max())
    return {"value": e / e.sum(axis=axis, keepdims=True)}


def wrong_axis(ref: ModuleType, case: Case) -> list[Outputs] | None:
    z, axis = _softmax_parts(case)
    if z.ndim < 2:
        return None
    return [{"value": ref.stable_softmax(z, axis=other)} for other in range(z.ndim) if other != axis % z.ndim]


def temperature_multiplied(ref: ModuleType, case: Case) -> Outputs:
    z, temperature = case.plain_args()
    return {"value": ref.stable_softmax(np.asarray(z, float) * temperature, axis=case.kwargs.get("axis", -1))}


def _target_probability(case: Case) -> tuple[np.ndarray, int]:
    z, target = case.plain_args()
    return np.asarray(z, dtype=float), int(target)


def neg_log_softmax(ref: ModuleType, case: Case) -> Outputs:
    z, target = _target_probability(case)
    return {"value": -np.log(ref.stable_softmax(z)[target])}


def clipped_log(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    p = ref.stable_softmax(z)[target]
    return [{"value": -np.log(np.clip(p, floor, 1.0))} for floor in (1e-7, 1e-8, 1e-9, 1e-10, 1e-12, 1e-15, 1e-16)]


def gradient_sign_flipped(ref: ModuleType, case: Case) -> Outputs:
    z, target = _target_probability(case)
    return {"value": -ref.cross_entropy_gradient(z, target)}


def gradient_without_softmax(ref: ModuleType, case: Case) -> list[Outputs]:
    z, target = _target_probability(case)
    y = np.eye(z.size)[target]
    return [{"value": z - y}, {"value": np.exp(z) - y}]


def fancy_index_table(ref: ModuleType, case: Case) -> Outputs:
    z, targets = case.plain_args()
    z = np.asarray(z, dtype=float)
    log_probs = np.log(ref.stable_softmax(z, axis=-1))
    return {"value": -log_probs[:, np.asarray(targets)]}


def sum_not_mean(ref: ModuleType, case: Case) -> Outputs:
    z, targets = case.plain_args()
    return {"value": np.sum(ref.per_position_cross_entropy(np.asarray(z, float), targets))}


def forward_difference(ref: ModuleType, case: Case) -> Outputs:
    f, x = case.plain_args()
    epsilon = float(case.kwargs.get("epsilon", 1e-5))
    x = np.asarray(x, dtype=float)
    base = f(x)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[index] += epsilon
        grad[index] = (f(shifted) - base) / epsilon
    return {"value": grad}


def _torch_inputs(case: Case) -> tuple[np.ndarray, np.ndarray]:
    z, targets = case.plain_args()
    return np.asarray(z, dtype=float), np.asarray(targets)


def _flat(function: Callable[..., tuple[float, np.ndarray]], ref: ModuleType, case: Case) -> Outputs:
    z, targets = _torch_inputs(case)
    loss, grad = function(ref, z.reshape(-1, z.shape[-1]), targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(z.shape)}


def softmax_before_loss(ref: ModuleType, case: Case) -> Outputs:
    return _flat(softmax_then_loss, ref, case)


def reduction_sum(ref: ModuleType, case: Case) -> Outputs:
    z, targets = _torch_inputs(case)
    rows = z.reshape(-1, z.shape[-1]).shape[0]
    outputs = _flat(mean_loss_and_grad, ref, case)
    return {"value": outputs["value"] * rows, "grad:0": outputs["grad:0"] * rows}


def unreshaped_sequence(ref: ModuleType, case: Case) -> Outputs | None:
    """(B, T, V) straight into nn.CrossEntropyLoss: dim 1 (T) is taken as the classes."""
    z, targets = _torch_inputs(case)
    batch, positions, vocabulary = z.shape
    if positions != vocabulary:
        return None  # torch raises instead ("Expected target size ..."), named by raises_like
    by_class_last = z.transpose(0, 2, 1).reshape(-1, positions)
    loss, grad = mean_loss_and_grad(ref, by_class_last, targets.reshape(-1))
    return {"value": loss, "grad:0": grad.reshape(batch, vocabulary, positions).transpose(0, 2, 1)}


PREDICTIONS: dict[str, Callable[[ModuleType, Case], Any]] = {
    "no_max_shift": no_max_shift,
    "global_max": global_max,
    "wrong_axis": wrong_axis,
    "temperature_multiplied": temperature_multiplied,
    "neg_log_softmax": neg_log_softmax,
    "clipped_log": clipped_log,
    "gradient_sign_flipped": gradient_sign_flipped,
    "gradient_without_softmax": gradient_without_softmax,
    "fancy_index_table": fancy_index_table,
    "sum_not_mean": sum_not_mean,
    "forward_difference": forward_difference,
    "softmax_before_loss": softmax_before_loss,
    "reduction_sum": reduction_sum,
    "unreshaped_sequence": unreshaped_sequence,
    "sequence_softmax_before_loss": softmax_before_loss,
    "sequence_reduction_sum": reduction_sum,
}
