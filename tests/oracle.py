"""An independent oracle for the lesson's nine functions: is an implementation right on every input its
docstring allows?

The truth is computed here from the formulas in exercises/softmax_cross_entropy.py, in 50-digit mpmath
(never by importing solutions/ or the grader), over a battery of stress inputs per function: underflowing
targets (logit gaps of 1000-2000; for the torch functions also float32 tensors with gaps of a few hundred),
overflow (logits around +-1000 and 1e4, the torch functions' too), rows of very different scale, every axis and shape the docstring
allows (1-D, 2-D, 3-D, a batch of one, one class, T == V), equal logits, targets at 0 and at the last class,
temperatures given as ints, the promised ValueError, the caller's arrays left unchanged, a scalar
differentiable loss whose backward() gives (p - y) / N.

Tolerances (stated once, used everywhere):
- NumPy results are float64 work: probabilities and gradients within 1e-13 + 1e-9 * |truth|; losses within
  1e-11 * (1 + max |logit|) + 1e-9 * |truth| (a float64 log-sum-exp of logits near 1e4 carries ~1e-12).
  Anything computed in float32 misses these by orders of magnitude, as the lesson intends.
- Finite differences: the exact central difference of a cubic, c1 + 2 c2 x + c3 (3 x^2 + eps^2), within
  1e-14 * sum|f terms| / eps + 1e-9 + 1e-8 * |truth| (the rounding of f, magnified by 1 / (2 eps)).
- Torch losses take the input's dtype: float32 within 8 * 2^-24 * (1 + max |logit|) + 1e-6 * |truth|, float64
  within 1e-10 * (1 + max |logit|) + 1e-12 * |truth| (a float64 loss cast to float32 misses it);
  gradients within 2e-6 (float32) or 1e-12 (float64) + 1e-4 * |truth|.

``judge(name, function)`` runs one implementation (in this process: only vetted corpus files come here) and
returns a Verdict; ``judge_source`` does the same for the source text of one function.
"""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np

mpmath.mp.dps = 50

EXERCISES = (
    "stable_softmax",
    "softmax_with_temperature",
    "cross_entropy_from_logits",
    "cross_entropy_gradient",
    "per_position_cross_entropy",
    "sequence_mean_loss",
    "finite_difference_gradient",
    "torch_classification_loss",
    "torch_sequence_loss",
)


@dataclass(frozen=True)
class Verdict:
    failures: tuple[str, ...]  # one line per input that exposed a difference, empty when correct

    @property
    def correct(self) -> bool:
        return not self.failures


class _Mismatch(Exception):
    """One input on which the implementation disagrees with the truth."""


# ----------------------------------------------------------------------------------------------- truth


def _mp_row(row: np.ndarray) -> list[mpmath.mpf]:
    return [mpmath.mpf(float(v)) for v in row]


def _mp_logsumexp(row: list[mpmath.mpf]) -> mpmath.mpf:
    top = max(row)
    return top + mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in row))


def _mp_softmax_row(row: list[mpmath.mpf]) -> list[mpmath.mpf]:
    lse = _mp_logsumexp(row)
    return [mpmath.exp(v - lse) for v in row]


def _softmax_truth(z: np.ndarray, axis: int, temperature: float = 1.0) -> np.ndarray:
    moved = np.moveaxis(np.asarray(z, dtype=float), axis, -1)
    out = np.empty(moved.shape)
    t = mpmath.mpf(temperature)
    for index in np.ndindex(moved.shape[:-1]):
        row = [v / t for v in _mp_row(moved[index])]
        out[index] = [float(p) for p in _mp_softmax_row(row)]
    return np.moveaxis(out, -1, axis)


def _losses_truth(z: np.ndarray, targets: np.ndarray) -> list[mpmath.mpf]:
    rows = np.asarray(z, dtype=float).reshape(-1, np.shape(z)[-1])
    flat = np.asarray(targets).reshape(-1)
    return [_mp_logsumexp(_mp_row(row)) - mpmath.mpf(float(row[t])) for row, t in zip(rows, flat)]


def _gradient_truth(z: np.ndarray, targets: np.ndarray, divide: int = 1) -> np.ndarray:
    rows = np.asarray(z, dtype=float).reshape(-1, np.shape(z)[-1])
    flat = np.asarray(targets).reshape(-1)
    out = np.empty(rows.shape)
    for r, (row, t) in enumerate(zip(rows, flat)):
        p = _mp_softmax_row(_mp_row(row))
        p[int(t)] -= 1
        out[r] = [float(v / divide) for v in p]
    return out.reshape(np.shape(z))


# ------------------------------------------------------------------------------------------ comparing


def _scale(z: np.ndarray) -> float:
    return float(np.max(np.abs(z))) if np.size(z) else 0.0


def _close_array(got: Any, want: np.ndarray, atol: float, rtol: float, what: str) -> None:
    if not isinstance(got, np.ndarray):
        raise _Mismatch(f"{what}: returned {type(got).__name__}, not a NumPy array")
    if got.shape != want.shape:
        raise _Mismatch(f"{what}: shape {got.shape}, expected {want.shape}")
    if got.dtype.kind != "f":
        raise _Mismatch(f"{what}: dtype {got.dtype}, expected a float array")
    values = got.astype(float)
    if not np.all(np.isfinite(values)):
        raise _Mismatch(f"{what}: contains nan/inf")
    error = np.abs(values - want)
    bound = atol + rtol * np.abs(want)
    if np.any(error > bound):
        worst = np.unravel_index(int(np.argmax(error - bound)), want.shape)
        raise _Mismatch(f"{what}: off by {error[worst]:.3g} at {tuple(int(i) for i in worst)} "
                        f"(got {values[worst]:.12g}, truth {want[worst]:.12g})")


def _as_number(got: Any, what: str) -> float:
    if isinstance(got, bool) or not (isinstance(got, (numbers.Real, np.floating))
                                     or (isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind == "f")):
        raise _Mismatch(f"{what}: returned {type(got).__name__}, not a float")
    value = float(got)
    if not math.isfinite(value):
        raise _Mismatch(f"{what}: returned {value}")
    return value


def _close_number(got: Any, want: mpmath.mpf, atol: float, rtol: float, what: str) -> None:
    value = _as_number(got, what)
    truth = float(want)
    if abs(value - truth) > atol + rtol * abs(truth):
        raise _Mismatch(f"{what}: got {value:.12g}, truth {truth:.12g}")


def _loss_atol(z: np.ndarray) -> float:
    return 1e-11 * (1.0 + _scale(z))


PROB_ATOL, PROB_RTOL, LOSS_RTOL = 1e-13, 1e-9, 1e-9


# ------------------------------------------------------------------------------------------ the inputs


def _rng() -> np.random.Generator:
    return np.random.default_rng(20261202)


LESSON = np.array([3.0, 1.0, 0.0])


def _softmax_inputs() -> Iterator[tuple[str, np.ndarray, int]]:
    rng = _rng()
    yield "the lesson's [3, 1, 0]", LESSON.copy(), -1
    yield "[1000, 998, 997] (overflow)", np.array([1000.0, 998.0, 997.0]), -1
    yield "logits around 1e4", np.array([1e4, 1e4 - 3.0, 1e4 - 5.5]), -1
    yield "logits around -1000", np.array([-1000.0, -1002.0, -1007.0]), -1
    yield "a gap of 2000 (underflowing entries)", np.array([0.0, -1500.0, -2000.0]), -1
    yield "one class", np.array([4.0]), -1
    yield "equal logits", np.full(5, 7.0), -1
    yield "1-D random, axis=0", rng.normal(0, 4, 6), 0
    batch = rng.normal(0, 3, (4, 5))
    yield "2-D, axis=-1", batch, -1
    yield "2-D, axis=1", batch, 1
    yield "2-D, axis=0", batch, 0
    yield "2-D, axis=-2", batch, -2
    yield "a batch of one (1, K)", rng.normal(0, 3, (1, 4)), -1
    yield "a batch of one along axis 0", rng.normal(0, 3, (1, 4)), 0
    yield "square (3, 3), axis=0", rng.normal(0, 3, (3, 3)), 0
    yield "one class per row (3, 1)", rng.normal(0, 3, (3, 1)), -1
    mixed = np.array([[-1000.0, -1001.0, -1003.0], [0.0, 1.0, 2.0], [1000.0, 995.0, 999.0]])
    yield "rows of very different scale", mixed, -1
    yield "columns of very different scale, axis=0", mixed.T.copy(), 0
    cube = rng.normal(0, 5, (2, 3, 4))
    for axis in (0, 1, 2, -1, -2):
        yield f"3-D (2, 3, 4), axis={axis}", cube, axis
    yield "3-D around 1000, axis=1", cube + 1000.0, 1


def _temperature_inputs() -> Iterator[tuple[str, np.ndarray, Any, int]]:
    for label, z, axis in _softmax_inputs():
        for t in (0.5, 2.0):
            yield f"{label}, T={t}", z, t, axis
    yield "the lesson's [3, 1, 0], T=1.0", LESSON.copy(), 1.0, -1
    yield "the lesson's [3, 1, 0], T=2 (an int)", LESSON.copy(), 2, -1
    yield "the lesson's [3, 1, 0], T=1 (an int)", LESSON.copy(), 1, -1
    yield "the lesson's [3, 1, 0], T=np.float64(0.25)", LESSON.copy(), np.float64(0.25), -1
    yield "[1000, 998, 997], T=0.01", np.array([1000.0, 998.0, 997.0]), 0.01, -1
    yield "small logits, T=100", np.array([0.3, -0.2, 0.1]), 100.0, -1
    yield "[0, -800, -5], T=100 (exp(-800) underflows at T = 1, exp(-8) does not)", np.array([0.0, -800.0, -5.0]), 100.0, -1
    yield "2-D around 1000, T=0.5, axis=0", np.array([[1000.0, -5.0], [998.0, -1000.0]]), 0.5, 0


def _single_inputs() -> Iterator[tuple[str, np.ndarray, int]]:
    rng = _rng()
    for t in (0, 1, 2):
        yield f"the lesson's [3, 1, 0], target {t}", LESSON.copy(), t
    yield "[1, 0, -2], target 1", np.array([1.0, 0.0, -2.0]), 1
    yield "one class", np.array([5.0]), 0
    yield "equal logits, last target", np.full(4, 2.0), 3
    yield "[1000, 999, 990], target 2 (overflow)", np.array([1000.0, 999.0, 990.0]), 2
    yield "logits around 1e4, target 0", np.array([1e4 - 2.0, 1e4, 1e4 - 0.5]), 0
    yield "logits around -1000, target 1", np.array([-1000.0, -1003.0, -1001.0]), 1
    yield "[0, -2000], target 1 (underflowing target)", np.array([0.0, -2000.0]), 1
    yield "[0, -1500, 3], target 1 (underflowing target)", np.array([0.0, -1500.0, 3.0]), 1
    yield "a confident right answer [30, 0, 0], target 0", np.array([30.0, 0.0, 0.0]), 0
    yield "random K=7, last target (np.int64)", rng.normal(0, 4, 7), np.int64(6)


def _sequence_inputs() -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    rng = _rng()
    yield "the lesson's reply", np.array([[3.0, 1.0, 0.0], [0.5, 0.0, 2.0]]), np.array([1, 2])
    yield "one position (1, 4)", rng.normal(0, 3, (1, 4)), np.array([3])
    yield "T == V (4, 4)", rng.normal(0, 3, (4, 4)), np.array([0, 3, 1, 3])
    yield "random (5, 3), targets at 0 and last", rng.normal(0, 3, (5, 3)), np.array([0, 2, 2, 0, 1])
    yield "random (6, 2), int32 targets", rng.normal(0, 3, (6, 2)), np.array([1, 0, 1, 1, 0, 0], dtype=np.int32)
    yield "one word in the vocabulary (3, 1)", rng.normal(0, 3, (3, 1)), np.array([0, 0, 0])
    yield "rows around 1000 and 1e4 (overflow)", np.array([[1000.0, 998.0, 990.0], [1e4, 1e4 - 1.0, 1e4 - 9.0]]), np.array([1, 2])
    yield "rows around -5000 and 0", np.array([[-5000.0, -5002.0, -5001.0], [0.0, 1.0, -1.0]]), np.array([0, 2])
    yield "a row with a gap of 2000 (underflowing target)", np.array([[0.0, -2000.0, 1.0], [2.0, 0.0, 1.0]]), np.array([1, 0])
    yield "rows of very different scale", np.array([[-1000.0, -1001.0], [0.0, 3.0], [1000.0, 990.0]]), np.array([1, 0, 1])


# -------------------------------------------------------------------------------------- the judges
# Each judge yields (label, probe): the probe runs the implementation on one input and raises _Mismatch
# (or whatever the implementation raises) when the answer is wrong.

Probe = Callable[[], None]


def _unchanged(before: np.ndarray, after: Any, what: str) -> None:
    if not (isinstance(after, np.ndarray) and after.dtype == before.dtype and after.shape == before.shape
            and np.array_equal(after, before)):
        raise _Mismatch(f"{what}: changed the caller's array")


def _judge_stable_softmax(fn: Callable) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, z: np.ndarray, axis: int | None) -> None:
        given = z.copy()
        got = fn(given) if axis is None else fn(given, axis=axis)
        _unchanged(z, given, label)
        _close_array(got, _softmax_truth(z, -1 if axis is None else axis), PROB_ATOL, PROB_RTOL, label)

    for label, z, axis in _softmax_inputs():
        yield label, lambda label=label, z=z, axis=axis: probe(label, z, axis)
    yield "the lesson's [3, 1, 0], default axis", lambda: probe("the lesson's [3, 1, 0], default axis", LESSON, None)


def _judge_temperature(fn: Callable) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, z: np.ndarray, t: Any, axis: int | None) -> None:
        given = z.copy()
        got = fn(given, t) if axis is None else fn(given, t, axis=axis)
        _unchanged(z, given, label)
        _close_array(got, _softmax_truth(z, -1 if axis is None else axis, float(t)), PROB_ATOL, PROB_RTOL, label)

    def refuses(label: str, t: Any) -> None:
        try:
            fn(LESSON.copy(), t)
        except ValueError:
            return
        except Exception as error:  # noqa: BLE001 - any other exception is the finding
            raise _Mismatch(f"{label}: raised {type(error).__name__} instead") from None
        raise _Mismatch(f"{label}: returned without raising")

    for label, z, t, axis in _temperature_inputs():
        yield label, lambda label=label, z=z, t=t, axis=axis: probe(label, z, t, axis)
    label = "the lesson's [3, 1, 0], T=0.5, default axis"
    yield label, lambda: probe(label, LESSON, 0.5, None)
    for bad in (0, 0.0, -1.0, -0.5, -2):
        text = f"temperature {bad!r} must raise ValueError"
        yield text, lambda text=text, bad=bad: refuses(text, bad)


def _judge_cross_entropy(fn: Callable) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, z: np.ndarray, t: Any) -> None:
        given = z.copy()
        got = fn(given, t)
        _unchanged(z, given, label)
        _close_number(got, _losses_truth(z, np.array([t]))[0], _loss_atol(z), LOSS_RTOL, label)

    for label, z, t in _single_inputs():
        yield label, lambda label=label, z=z, t=t: probe(label, z, t)


def _judge_gradient(fn: Callable) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, z: np.ndarray, t: Any) -> None:
        given = z.copy()
        got = fn(given, t)
        _unchanged(z, given, label)
        _close_array(got, _gradient_truth(z, np.array([t])), PROB_ATOL, PROB_RTOL, label)

    for label, z, t in _single_inputs():
        yield label, lambda label=label, z=z, t=t: probe(label, z, t)


def _judge_positions(fn: Callable) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, z: np.ndarray, targets: np.ndarray) -> None:
        given = z.copy()
        got = fn(given, targets.copy())
        _unchanged(z, given, label)
        truth = np.array([float(v) for v in _losses_truth(z, targets)])
        _close_array(got, truth, _loss_atol(z), LOSS_RTOL, label)

    for label, z, targets in _sequence_inputs():
        yield label, lambda label=label, z=z, targets=targets: probe(label, z, targets)


def _judge_mean(fn: Callable) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, z: np.ndarray, targets: np.ndarray) -> None:
        given = z.copy()
        got = fn(given, targets.copy())
        _unchanged(z, given, label)
        losses = _losses_truth(z, targets)
        _close_number(got, mpmath.fsum(losses) / len(losses), _loss_atol(z), LOSS_RTOL, label)

    for label, z, targets in _sequence_inputs():
        yield label, lambda label=label, z=z, targets=targets: probe(label, z, targets)


def _cubic(rng: np.random.Generator, shape: tuple[int, ...]) -> tuple[Callable, np.ndarray, Callable]:
    c1, c2, c3 = (rng.uniform(-3, 3, shape) for _ in range(3))
    x = rng.uniform(-2, 2, shape)
    for c in (c2, c3):  # keep the curvature away from zero so that every wrong step shows
        c[np.abs(c) < 0.5] = 1.0

    def f(point: np.ndarray) -> float:
        if np.shape(point) != shape:
            raise ValueError(f"f takes an array of shape {shape}, got {np.shape(point)}")
        p = np.asarray(point, dtype=float)
        return float(np.sum(c3 * p**3 + c2 * p**2 + c1 * p))

    def truth(point: np.ndarray, eps: float) -> tuple[np.ndarray, float]:
        terms = np.abs(c3 * point**3) + np.abs(c2 * point**2) + np.abs(c1 * point)
        return c1 + 2 * c2 * point + c3 * (3 * point**2 + eps**2), float(np.sum(terms)) + 1.0

    return f, x, truth


def _judge_finite_differences(fn: Callable) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, f: Callable, x: np.ndarray, truth: Callable, eps: float | None, keyword: bool) -> None:
        given = x.copy()
        if eps is None:
            got = fn(f, given)
        elif keyword:
            got = fn(f, given, epsilon=eps)
        else:
            got = fn(f, given, eps)
        _unchanged(x, given, label)
        step = 1e-5 if eps is None else eps
        want, size = truth(x, step)
        _close_array(got, want, 1e-14 * size / step + 1e-9, 1e-8, label)

    rng = _rng()
    for shape in ((3,), (1,), (2, 3), (4, 4), (1, 1), (3, 2, 2)):
        for eps, keyword, how in ((None, False, "the default epsilon"), (1e-3, False, "epsilon 1e-3 (positional)"),
                                  (1e-2, True, "epsilon=1e-2 (keyword)")):
            f, x, truth = _cubic(rng, shape)
            label = f"a cubic on shape {shape}, {how}"
            yield label, (lambda label=label, f=f, x=x, truth=truth, eps=eps, keyword=keyword:
                          probe(label, f, x, truth, eps, keyword))


# ------------------------------------------------------------------------------------------- torch


def _torch_cases_classification() -> Iterator[tuple[str, np.ndarray, np.ndarray, str]]:
    rng = _rng()
    yield "the lesson's ticket (float32)", np.array([[3.0, 1.0, 0.0]]), np.array([1]), "float32"
    yield "a random batch (5, 4) (float32)", rng.normal(0, 3, (5, 4)), np.array([0, 3, 1, 3, 2]), "float32"
    yield "a batch of one, one class (float32)", np.array([[2.5]]), np.array([0]), "float32"
    yield "logits around 1000 (float32)", 1000.0 + rng.normal(0, 3, (4, 3)), np.array([2, 0, 1, 2]), "float32"
    yield "gaps of a few hundred (float32)", np.array([[0.0, -300.0, 5.0], [200.0, 0.0, -100.0]]), np.array([1, 2]), "float32"
    yield "a random batch (3, 5) (float64)", rng.normal(0, 3, (3, 5)), np.array([4, 0, 2]), "float64"
    yield "logits around 1e4 (float64)", 1e4 + rng.normal(0, 3, (3, 4)), np.array([0, 3, 1]), "float64"
    yield "a gap of 2000 (float64)", np.array([[0.0, -2000.0, 1.0], [3.0, 2.0, 1.0]]), np.array([1, 0]), "float64"
    yield "rows around -1000 (float32)", np.array([[-1000.0, -1003.0, -998.5], [-1001.0, -999.0, -1000.0]]), \
        np.array([0, 2]), "float32"


def _torch_cases_sequence() -> Iterator[tuple[str, np.ndarray, np.ndarray, str]]:
    rng = _rng()
    yield "the lesson's reply (float32)", np.array([[[3.0, 1.0, 0.0], [0.5, 0.0, 2.0]]]), np.array([[1, 2]]), "float32"
    yield "B=2, T=3, V=4 (float32)", rng.normal(0, 3, (2, 3, 4)), rng.integers(0, 4, (2, 3)), "float32"
    yield "T == V == 3, B=2 (float32)", rng.normal(0, 3, (2, 3, 3)), np.array([[0, 2, 1], [2, 2, 0]]), "float32"
    yield "B=1, T=1, V=5 (float32)", rng.normal(0, 3, (1, 1, 5)), np.array([[4]]), "float32"
    yield "B=3, T == V == 2 (float32)", rng.normal(0, 3, (3, 2, 2)), np.array([[0, 1], [1, 1], [1, 0]]), "float32"
    yield "logits around 1000 (float32)", 1000.0 + rng.normal(0, 3, (2, 2, 3)), np.array([[0, 2], [1, 1]]), "float32"
    yield "gaps of a few hundred (float32)", np.array([[[0.0, -300.0, 4.0], [250.0, 0.0, 1.0]]]), np.array([[1, 1]]), "float32"
    yield "B=2, T=3, V=4 (float64)", rng.normal(0, 3, (2, 3, 4)), rng.integers(0, 4, (2, 3)), "float64"
    yield "logits around 1e4 (float64)", 1e4 + rng.normal(0, 3, (2, 2, 3)), np.array([[2, 0], [1, 2]]), "float64"
    yield "one word in the vocabulary, B=2, T=3, V=1 (float32)", np.array([[[0.5], [-2.0], [3.0]], [[1.0], [0.0], [7.5]]]), \
        np.zeros((2, 3), dtype=np.int64), "float32"
    yield "positions around -1000 (float32)", np.array([[[-1000.0, -1002.0, -999.0], [-998.0, -1001.0, -1000.5]]]), \
        np.array([[2, 0]]), "float32"


def _judge_torch(fn: Callable, cases: Iterator[tuple[str, np.ndarray, np.ndarray, str]]) -> Iterator[tuple[str, Probe]]:
    def probe(label: str, z: np.ndarray, targets: np.ndarray, dtype: str) -> None:
        import torch

        torch.set_num_threads(1)  # tiny tensors: threads only spin against the machine's other work
        logits = torch.tensor(z, dtype=getattr(torch, dtype), requires_grad=True)
        exact = logits.detach().double().numpy().copy()  # the values the function really receives
        labels = torch.tensor(targets, dtype=torch.int64)
        loss = fn(logits, labels)
        if not isinstance(loss, torch.Tensor):
            raise _Mismatch(f"{label}: returned {type(loss).__name__}, not a tensor")
        if loss.dim() != 0:
            raise _Mismatch(f"{label}: returned shape {tuple(loss.shape)}, not a scalar (0-d) tensor")
        if not np.array_equal(logits.detach().double().numpy(), exact) or not torch.equal(labels, torch.tensor(targets)):
            raise _Mismatch(f"{label}: changed the caller's tensors")
        losses = _losses_truth(exact, targets)
        n = len(losses)
        float32 = dtype == "float32"
        atol = 8 * 2.0**-24 * (1 + _scale(exact)) if float32 else 1e-10 * (1 + _scale(exact))
        _close_number(loss.detach().double().item(), mpmath.fsum(losses) / n, atol, 1e-6 if float32 else 1e-12, label)
        if not loss.requires_grad:
            raise _Mismatch(f"{label}: the loss is cut off from the graph (requires_grad is False)")
        loss.backward()
        if logits.grad is None:
            raise _Mismatch(f"{label}: backward() left logits.grad empty")
        want = _gradient_truth(exact, targets, divide=n)
        _close_array(logits.grad.double().numpy(), want, 2e-6 if float32 else 1e-12, 1e-4, f"{label}, gradient")

    for label, z, targets, dtype in cases:
        yield label, lambda label=label, z=z, targets=targets, dtype=dtype: probe(label, z, targets, dtype)


JUDGES: dict[str, Callable[[Callable], Iterator[tuple[str, Probe]]]] = {
    "stable_softmax": _judge_stable_softmax,
    "softmax_with_temperature": _judge_temperature,
    "cross_entropy_from_logits": _judge_cross_entropy,
    "cross_entropy_gradient": _judge_gradient,
    "per_position_cross_entropy": _judge_positions,
    "sequence_mean_loss": _judge_mean,
    "finite_difference_gradient": lambda fn: _judge_finite_differences(fn),
    "torch_classification_loss": lambda fn: _judge_torch(fn, _torch_cases_classification()),
    "torch_sequence_loss": lambda fn: _judge_torch(fn, _torch_cases_sequence()),
}


def judge(name: str, function: Callable) -> Verdict:
    """Run every input of exercise ``name`` through ``function``: one failure line per input that fails."""
    failures: list[str] = []
    for label, probe in JUDGES[name](function):
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                probe()
        except _Mismatch as mismatch:
            failures.append(str(mismatch))
        except Exception as error:  # noqa: BLE001 - the implementation raised on an input it must accept
            first = str(error).splitlines()[0][:120] if str(error) else ""
            failures.append(f"{label}: raised {type(error).__name__}: {first}")
    return Verdict(tuple(failures))


def load_function(name: str, source: str, filename: str = "<corpus>",
                  module: dict[str, Any] | None = None) -> Callable:
    """Define one function from its source, with the module-level names the lesson's file provides.

    ``module`` is the rest of the file it is spliced into, for the few implementations that call another of
    the lesson's functions (the old corpus has two); the oracle's truth never comes from it.
    """
    namespace: dict[str, Any] = dict(module or {})
    namespace.update({"np": np, "Callable": Callable, "__name__": "oracle_subject"})
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102 - vetted corpus files only
    return namespace[name]


def judge_source(name: str, source: str, filename: str = "<corpus>",
                 module: dict[str, Any] | None = None) -> Verdict:
    return judge(name, load_function(name, source, filename, module))
