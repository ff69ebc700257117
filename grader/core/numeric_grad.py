"""Expected gradients computed on the trusted side, from a NumPy function, by central differences.

A torch exercise's gradient is the one value the worker cannot be trusted to report about itself: the
student's code runs in the worker's process and can write ``x.grad`` by hand. The grader therefore
compares each argument's gradient with the one computed here, from the reference's NumPy function:
the vector-Jacobian product ``d/dx sum(grad_output * function(...))`` (ones when no ``grad_output``,
as the worker backpropagates then), by central differences in float64, refined by Richardson
extrapolation (Ridders' method) until the estimate stops improving. A non-differentiable point (a tie
under max, relu or abs at 0) has no gradient to check: where the slope jumps or the estimate does not
settle, ``ValueError`` names the argument and the entry, so a case built there fails when it is built.

A reference function that ``grade release`` records carries its own ``numeric_gradients``: the release
records each gradient as one answer, not each of the function's evaluations it took.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

FIRST_STEP = 1e-3  # the widest difference (relative beyond |x| = 1000); each next one is SHRINK times narrower
SHRINK = 1.4
STEPS = 10
SETTLED = 1e-7  # the estimate's error, relative to max(1, the gradient's largest entry), that counts as settled


def gradient_arguments(args: Sequence[Any]) -> tuple[int, ...]:
    """The arguments a gradient is due for when none are named: each tensor that requires grad (a
    ``core.checks.Tensor``), else each floating-point array."""
    marked = tuple(i for i, a in enumerate(args) if getattr(a, "requires_grad", False) is True)
    if marked:
        return marked
    return tuple(i for i, a in enumerate(args) if isinstance(a, np.ndarray) and a.dtype.kind == "f")


def numeric_gradients(function: Callable[..., Any], args: Sequence[Any], grad_output: Any = None,
                      argnums: Sequence[int] | None = None, kwargs: Mapping[str, Any] | None = None,
                      part: int | str | None = None) -> dict[int, np.ndarray]:
    """argument index -> d/d(argument) of sum(grad_output * function(*args, **kwargs)), in float64.

    ``args`` are NumPy arrays, numbers, or ``Tensor`` arguments (their data is used). ``argnums``: which
    arguments to differentiate (default: ``gradient_arguments``). ``grad_output``: the result's shape, for a
    tuple result a tuple of one per part, None for a part not backpropagated (None: ones for every part, as
    the worker backpropagates for ``grad_flows``). ``part``: when the function returns a tuple, the index or
    field name of the part that is the result (the NumPy function returns (output, weights) where torch
    returns output).
    """
    values = tuple(_plain(a) for a in args)
    chosen = gradient_arguments(args) if argnums is None else tuple(int(i) for i in argnums)
    if not chosen:
        raise ValueError("numeric_gradients: no argument to differentiate (pass argnums, or arguments that are "
                         "floating-point arrays or Tensors with requires_grad=True)")
    for index in chosen:
        if not 0 <= index < len(values):
            raise ValueError(f"numeric_gradients: argnums names argument {index}; the call has {len(values)}")
        if np.asarray(values[index]).dtype.kind not in "fiu":
            raise ValueError(f"numeric_gradients: argument {index} is not a number array (dtype "
                             f"{np.asarray(values[index]).dtype}): it has no gradient")
    plain_kwargs = {name: _plain(value) for name, value in (kwargs or {}).items()}
    delegate = getattr(function, "numeric_gradients", None)
    if callable(delegate):  # a reference function grade release records or replays
        return delegate(values, grad_output=grad_output, argnums=chosen, kwargs=plain_kwargs, part=part)
    return compute_gradients(function, values, grad_output, chosen, plain_kwargs, part)


def compute_gradients(function: Callable[..., Any], args: tuple[Any, ...], grad_output: Any,
                      argnums: tuple[int, ...], kwargs: Mapping[str, Any], part: int | str | None) -> dict[int, np.ndarray]:
    """numeric_gradients' work, with its arguments already checked (see there)."""
    def pieces(call_args: tuple[Any, ...]) -> list[np.ndarray]:
        with np.errstate(all="ignore"):  # a result that is not finite is refused below, by name
            result = select_part(function(*call_args, **kwargs), part)
        return [np.asarray(p, dtype=np.float64) for p in (result if isinstance(result, tuple) else [result])]

    def weighted(call_args: tuple[Any, ...]) -> np.ndarray:
        """Each entry of the result times its grad_output, flat: differences are taken entry by entry (the
        entries a step leaves alone cancel exactly), summed only then."""
        return np.concatenate([(w * p).ravel() for w, p in zip(weights, pieces(call_args)) if w is not None] or
                              [np.zeros(0)])

    weights = _weights(pieces(args), grad_output)
    gradients, errors = {}, []
    for index in argnums:
        x = np.array(args[index], dtype=np.float64)
        gradient = np.zeros_like(x)
        for position in np.ndindex(x.shape):
            def moved(step: float, position: tuple[int, ...] = position) -> np.ndarray:
                at = x.copy()
                at[position] += step
                return weighted(args[:index] + (at,) + args[index + 1:])

            estimate, error = _derivative(moved, float(x[position]), FIRST_STEP * max(1.0, abs(float(x[position])) / 1e3))
            if not np.isfinite(estimate):
                raise ValueError(f"numeric_gradients: argument {index}, entry {list(position)}: the function is not "
                                 "finite near these inputs")
            gradient[position] = estimate
            errors.append((index, position, error))
        gradients[index] = gradient
    _check_settled(gradients, errors)
    return gradients


def _weights(pieces: list[np.ndarray], grad_output: Any) -> list[np.ndarray | None]:
    """grad_output as one array (or None: not backpropagated) per piece of the result, as the worker takes it:
    ones for every piece when there is none, one per part of a tuple result."""
    if grad_output is None:
        given: list[Any] = [np.ones_like(p) for p in pieces]
    elif isinstance(grad_output, (tuple, list)):
        if len(grad_output) != len(pieces):
            raise ValueError(f"numeric_gradients: grad_output has {len(grad_output)} parts, the result {len(pieces)}")
        given = list(grad_output)
    elif len(pieces) != 1:
        raise ValueError(f"numeric_gradients: the result is a tuple of {len(pieces)}: give grad_output per part")
    else:
        given = [grad_output]
    weights: list[np.ndarray | None] = []
    for number, (piece, weight) in enumerate(zip(pieces, given)):
        if weight is None:
            weights.append(None)
            continue
        weight = np.asarray(weight, dtype=np.float64)
        where = f" of part {number + 1}" if len(pieces) > 1 else ""
        if weight.shape != piece.shape:
            raise ValueError(f"numeric_gradients: grad_output{where} has shape {weight.shape}, the result {piece.shape}")
        if not np.isfinite(piece[weight != 0]).all():
            raise ValueError(f"numeric_gradients: the result{where} is not finite where grad_output weighs it")
        weights.append(weight)
    return weights


def _plain(value: Any) -> Any:
    """An argument as the NumPy function takes it: a ``Tensor``'s data (read by its fields: core.checks imports
    this module), an array copied, anything else as it is."""
    data = getattr(value, "data", None)
    if isinstance(data, np.ndarray) and isinstance(getattr(value, "requires_grad", None), bool):
        return np.array(data, copy=True)
    if isinstance(value, np.ndarray):
        return value.copy()
    return value


def select_part(result: Any, part: int | str | None) -> Any:
    """The part of a tuple result that is the value (``part`` None: the result itself, a tuple too)."""
    if part is None:
        return result
    if not isinstance(result, tuple):
        raise ValueError(f"numeric_gradients: part={part!r}, but the function returns a {type(result).__name__}")
    if isinstance(part, str):
        fields = getattr(type(result), "_fields", ())
        if part not in fields:
            raise ValueError(f"numeric_gradients: the result has no part {part!r} (its parts: {', '.join(fields) or 'unnamed'})")
        return result[fields.index(part)]
    return result[part]


def _derivative(moved: Callable[[float], np.ndarray], x: float, first_step: float) -> tuple[float, float]:
    """d/dt moved(t) at 0 and its error estimate (NaN: a kink, see _kinked), by Ridders' method: central
    differences at shrinking steps, extrapolated to step 0 (a Neville tableau), keeping the estimate whose
    error estimate is smallest."""
    def difference(step: float) -> float:
        step = (x + step) - x  # the step x + step really takes, in floating point
        return float(np.sum(moved(step) - moved(-step))) / (2 * step)

    table = np.zeros((STEPS, STEPS))
    step = first_step
    table[0, 0] = difference(step)
    best, error = table[0, 0], np.inf
    for i in range(1, STEPS):
        step /= SHRINK
        table[0, i] = difference(step)
        factor = SHRINK ** 2
        for j in range(1, i + 1):
            table[j, i] = (table[j - 1, i] * factor - table[j - 1, i - 1]) / (factor - 1)
            factor *= SHRINK ** 2
            estimate = max(abs(table[j, i] - table[j - 1, i]), abs(table[j, i] - table[j - 1, i - 1]))
            if estimate <= error:
                best, error = table[j, i], estimate
        if abs(table[i, i] - table[i - 1, i - 1]) >= 2 * error:
            break  # higher orders only get worse from here (rounding)
    return float(best), np.nan if _kinked(moved, x, step) else float(error)


def _kinked(moved: Callable[[float], np.ndarray], x: float, step: float) -> bool:
    """Does the slope jump at x (relu at 0, a tie under max)? Central differences there settle on the mean of
    the two slopes, which is no gradient torch gives. The second difference f(h) - 2 f(0) + f(-h) shrinks
    like h squared where f is smooth, like h at a kink: halving h halves it there."""
    def second(step: float) -> tuple[float, float]:
        step = (x + step) - x
        high, middle, low = moved(step), moved(0.0), moved(-step)
        changed = (high != middle) | (low != middle)
        size = np.abs(high[changed]) + 2 * np.abs(middle[changed]) + np.abs(low[changed])
        return abs(float(np.sum(high - 2 * middle + low))), float(np.sum(size))

    wide, size = second(step)
    narrow, _ = second(step / 2)
    above_rounding = wide > 1e3 * np.finfo(float).eps * max(size, 1e-300)
    return bool(above_rounding and narrow > wide / 3)


def _check_settled(gradients: Mapping[int, np.ndarray], errors: list[tuple[int, tuple[int, ...], float]]) -> None:
    """Every estimate's error small beside the gradient's scale, or a ValueError naming the first that is not."""
    scale = max((float(np.max(np.abs(g), initial=0.0)) for g in gradients.values()), default=0.0)
    for index, position, error in errors:
        if np.isnan(error) or error > SETTLED * max(1.0, scale):
            why = "its slope jumps there" if np.isnan(error) else f"the estimate does not settle (error about {error:.2g})"
            raise ValueError(f"numeric_gradients: argument {index}, entry {list(position)}: {why}: the function is not "
                             "differentiable there (a tie under max, a kink, an edge); choose inputs away from it or "
                             "give expect_grad")
