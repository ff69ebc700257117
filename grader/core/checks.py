"""The vocabulary check authors write in: cases, tensors, probes and the check registry.

A check is a plain function ``(reference, rng) -> Case | Sequence[Case]`` with points attached.
It runs on the trusted side: it draws inputs from the seeded generator and computes the expected
values with the reference. Only a case's *call* (function arguments) ever reaches the worker.
"""
from __future__ import annotations

import traceback
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping, Sequence, Union

import numpy as np
import numpy.typing as npt

from grader.core.errors import GradeError, UsageError
from grader.core.numeric_grad import numeric_gradients
from grader.sandbox import probes, protocol


@dataclass(frozen=True)
class Tensor:
    """An argument the worker turns into a torch tensor."""

    data: np.ndarray
    dtype: str = "float32"
    requires_grad: bool = False


@dataclass(frozen=True)
class Probe:
    """A scalar function argument, named rather than sent as code (see ``sandbox.probes``)."""

    name: str
    params: Mapping[str, Any]

    def build(self) -> probes.ScalarFunction:
        return probes.build_probe(self.name, dict(self.params))


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-6
    atol: float = 1e-9

    def describe(self) -> str:
        return f"{self.atol:g} + {self.rtol:g} x |expected|"


@dataclass(frozen=True)
class Case:
    """One call of the student's function and everything that must hold of its result.

    ``describe`` says what the inputs are like without printing hidden inputs. The mistake ids
    name the known mistake a behaviour shows: a changed argument, a missing exception, a result
    that carries no gradient. A case with ``checks_values=False`` is a check of one property (the
    input left unchanged): it passes or fails on that property alone, and the value checks judge the
    values (a call that raises or returns no numbers still fails it).
    """

    args: tuple[Any, ...]
    describe: str
    expect: Any = None
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    tolerance: Tolerance = Tolerance()
    raises: str | None = None
    returned_instead: str | None = None  # the mistake a case that must raise shows by returning a value
    raised_instead: str | None = None  # ... by raising another exception; a value case: by raising at all
    unchanged: Mapping[int, str] = field(default_factory=dict)
    drifted: str | None = None  # the mistake an argument changed by rounding only shows (restored by arithmetic)
    checks_values: bool = True  # False: a check of one property (input unchanged): it passes or fails on that alone
    expect_grad: Mapping[int, np.ndarray] = field(default_factory=dict)
    detached: str | None = None
    dtype: str | Mapping[str, str] | None = None  # the result's dtype name ("float32"); per part name of a tuple
    grad_output: Any = None  # torch: the gradient backpropagated from a non-scalar result (a tuple: per part)
    grad_flows: bool = False  # torch: the result must carry a gradient back to every requires_grad argument
    expect_args: Mapping[int, Any] = field(default_factory=dict)  # argument index -> its value after the call (in place)
    # torch, with grad_flows: the NumPy function (or (function, part) of its tuple) whose gradients become
    # expect_grad (core.numeric_grad), computed here on the trusted side; never sent to a worker
    value_of: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.args, list):
            object.__setattr__(self, "args", tuple(self.args))
        if not isinstance(self.args, tuple):
            raise ValueError(f"Case args: a tuple of the positional arguments (got {type(self.args).__name__}; "
                             "one argument is a tuple of one: (x,))")
        if not isinstance(self.kwargs, Mapping):
            raise ValueError(f"Case kwargs: a dict of keyword arguments (got {type(self.kwargs).__name__})")
        if self.value_of is not None:
            object.__setattr__(self, "expect_grad", self._gradients_of_value())
        for name in (self.dtype.values() if isinstance(self.dtype, Mapping) else [self.dtype]):
            if name is not None and name not in DTYPE_NAMES:
                raise ValueError(f"Case dtype {name!r} is not a dtype name; use one of {', '.join(sorted(DTYPE_NAMES))}")
        if isinstance(self.dtype, Mapping):
            labels = {label for _, label, _ in self.parts()}
            unknown = sorted(set(self.dtype) - labels)
            if unknown:
                raise ValueError(f"Case dtype names parts {unknown} the expected result does not have "
                                 f"(its parts: {', '.join(sorted(labels)) or 'none, it is not a tuple'})")
        if self.expect_grad and self.grad_output is None and not self.grad_flows \
                and not isinstance(self.expect, tuple) and np.size(self.expect) != 1:
            raise ValueError("Case expect_grad on a result that is not a single number needs grad_output "
                             "(the gradient to backpropagate from it) or grad_flows=True (ones)")
        if self.expect is not None and isinstance(self.expect, tuple) and not 0 < len(self.expect) <= MAX_PARTS:
            raise ValueError(f"Case expect: a tuple of 1 to {MAX_PARTS} parts, not {len(self.expect)}")
        self._check_gradient_shapes()
        for name, label, part in self.parts():
            _comparable(part, f"Case expect{f' {label}' if label else ''}")
        for index, after in self.expect_args.items():
            if not (isinstance(index, int) and 0 <= index < len(self.args)):
                raise ValueError(f"Case expect_args: {index!r} is not the index of one of the {len(self.args)} arguments")
            if isinstance(after, (list, tuple)) != self.listed(index):
                raise ValueError(f"Case expect_args[{index}]: a list of arrays for a list argument, one array for an "
                                 "array argument")
            if isinstance(after, (list, tuple)) and not 0 < len(after) <= MAX_PARTS:
                raise ValueError(f"Case expect_args[{index}]: a list of 1 to {MAX_PARTS} arrays, not {len(after)}")
            for part in (after if isinstance(after, (list, tuple)) else [after]):
                _comparable(part, f"Case expect_args[{index}]")

    def _check_gradient_shapes(self) -> None:
        """ValueError for a gradient the worker would never compare: expect_grad for an argument that receives
        none (not a positional Tensor with requires_grad=True) or of another shape than the argument, and a
        grad_output whose shape (per part, for a tuple result) is not the expected result's. The worker skips a
        backward pass it cannot make, so each would read as a result detached from the graph, even the
        reference's."""
        for index, gradient in self.expect_grad.items():
            positional = isinstance(index, (int, np.integer)) and 0 <= index < len(self.args)
            argument = self.args[index] if positional else None
            if not (isinstance(argument, Tensor) and argument.requires_grad):
                what = "not a Tensor with requires_grad=True" if positional else \
                    f"not one of the {len(self.args)} positional arguments"
                raise ValueError(f"Case expect_grad[{index!r}]: argument {index!r} is {what}, so it receives no "
                                 "gradient (expect_grad is keyed by the index of a positional Tensor argument "
                                 "with requires_grad=True)")
            if np.shape(gradient) != np.shape(argument.data):
                raise ValueError(f"Case expect_grad[{index}]: shape {np.shape(gradient)}, but argument {index} has "
                                 f"shape {np.shape(argument.data)}")
        if self.grad_output is None or self.expect is None:
            return
        parts = self.parts()
        if isinstance(self.expect, tuple) != isinstance(self.grad_output, tuple):
            raise ValueError("Case grad_output: a tuple with one gradient per part (None for a part not "
                             "backpropagated) for a tuple result, one array for a single result")
        given = self.grad_output if isinstance(self.grad_output, tuple) else (self.grad_output,)
        if len(given) != len(parts):
            raise ValueError(f"Case grad_output: {len(given)} parts, but the expected result has {len(parts)}")
        for (_, label, part), gradient in zip(parts, given):
            if gradient is not None and np.shape(gradient) != np.shape(part):
                where = f" for {label}" if label else ""
                raise ValueError(f"Case grad_output{where}: shape {np.shape(gradient)}, but the expected "
                                 f"{label or 'result'} has shape {np.shape(part)} (torch backpropagates only a "
                                 "gradient of the result's own shape)")

    def _gradients_of_value(self) -> dict[int, np.ndarray]:
        """expect_grad from value_of: every requires_grad argument's gradient, by central differences."""
        if not self.grad_flows:
            raise ValueError("Case value_of computes the expected gradients of a grad_flows case: give grad_flows=True")
        if self.expect_grad:
            raise ValueError("Case value_of and expect_grad: give one (value_of computes expect_grad)")
        function, part = self.value_of if isinstance(self.value_of, tuple) else (self.value_of, None)
        if not callable(function):
            raise ValueError("Case value_of: a function of the case's arguments, or (function, part)")
        marked = tuple(i for i, a in enumerate(self.args) if isinstance(a, Tensor) and a.requires_grad)
        if not marked:
            raise ValueError("Case value_of: no argument is a Tensor with requires_grad=True")
        return numeric_gradients(function, self.args, self.grad_output, marked, self.kwargs, part)

    def parts(self) -> tuple[tuple[str, str, Any], ...]:
        """The expected result as (output name, label, expected value): one ``value`` for a single result;
        ``value.0``, ``value.1``... for a tuple, labelled by a NamedTuple's field names or "part 1", "part 2"."""
        return output_parts(self.expect)

    def listed(self, index: int) -> bool:
        """Is argument ``index`` a list (or tuple) of arrays, sent back after the call one array at a time?"""
        argument = self.args[index] if 0 <= index < len(self.args) else None
        return isinstance(argument, (list, tuple)) and any(isinstance(a, np.ndarray) for a in argument)

    def arg_outputs(self) -> dict[str, Any]:
        """The arguments' expected values after the call, by output name: ``arg:I`` for an array argument,
        ``arg:I.0``, ``arg:I.1``... for a list of arrays (sent back one array at a time)."""
        outputs: dict[str, Any] = {}
        for index, after in sorted(self.expect_args.items()):
            if isinstance(after, (list, tuple)):
                outputs.update((f"arg:{index}.{i}", part) for i, part in enumerate(after))
            else:
                outputs[f"arg:{index}"] = after
        return outputs

    def dtype_of(self, label: str) -> str | None:
        """The declared dtype of the result (a single one) or of the part with this label."""
        if isinstance(self.dtype, Mapping):
            return self.dtype.get(label)
        return self.dtype

    @property
    def mode(self) -> str:
        return "torch" if any(isinstance(a, Tensor) for a in self.args) else "numpy"

    def call(self, call_id: str) -> protocol.WireCall:
        """The part of the case the worker sees: no expected values."""
        call: protocol.WireCall = {
            "id": call_id,
            "mode": self.mode,
            "args": [_wire_argument(a) for a in self.args],
            "kwargs": {k: _wire_argument(v) for k, v in self.kwargs.items()},
            "return_args": sorted({*self.unchanged, *self.expect_args}),
        }
        listed = [i for i in call["return_args"] if self.listed(i)]
        if listed:
            call["arg_parts"] = listed  # these arguments are lists of arrays: sent back one array at a time
        if isinstance(self.expect, tuple):
            call["parts"] = len(self.expect)  # the worker sends a tuple's parts one by one
        if self.grad_output is not None:
            call["grad_output"] = ([None if g is None else np.asarray(g) for g in self.grad_output]
                                   if isinstance(self.grad_output, tuple) else np.asarray(self.grad_output))
        if self.grad_flows:
            call["grad_flows"] = True
        return call

    def plain_args(self) -> tuple[Any, ...]:
        """Arguments as the trusted side's numpy functions take them."""
        return tuple(_plain_argument(a) for a in self.args)

    def plain_kwargs(self) -> dict[str, Any]:
        """Keyword arguments as the trusted side's numpy functions take them (a Tensor's numbers, as plain_args)."""
        return {name: _plain_argument(value) for name, value in self.kwargs.items()}


MAX_PARTS = protocol.MAX_PARTS
DTYPE_NAMES = protocol.DTYPE_NAMES


def output_parts(expect: Any) -> tuple[tuple[str, str, Any], ...]:
    """(output name, label, expected value) of each part of a result: a tuple's parts are sent one by one."""
    if not isinstance(expect, tuple):
        return (("value", "", expect),)
    fields = getattr(type(expect), "_fields", None)
    labels = [str(f) for f in fields] if isinstance(fields, tuple) and len(fields) == len(expect) \
        else [f"part {i + 1}" for i in range(len(expect))]
    return tuple((f"value.{i}", labels[i], part) for i, part in enumerate(expect))


def flat_outputs(outputs: Mapping[str, npt.ArrayLike | tuple[npt.ArrayLike, ...]]) -> dict[str, npt.ArrayLike]:
    """Outputs (a prediction's) with a tuple ``value`` spread into its parts (``value.0``, ``value.1``...), as
    the worker sends a tuple result, and a list argument ``arg:I`` into ``arg:I.0``, ``arg:I.1``..."""
    flat: dict[str, npt.ArrayLike] = {}
    for name, value in outputs.items():
        if name == "value" and isinstance(value, tuple):
            flat.update((part_name, part) for part_name, _, part in output_parts(value))
        elif name.startswith("arg:") and isinstance(value, (list, tuple)):
            flat.update((f"{name}.{i}", part) for i, part in enumerate(value))
        else:
            flat[name] = value
    return flat


def _comparable(value: Any, where: str) -> None:
    """ValueError when a value the grader must compare is not one array of numbers: a list or tuple of arrays of
    different shapes (a list is one array; a tuple result's parts are the arrays)."""
    if value is None or isinstance(value, (np.ndarray, int, float, bool, np.generic)):
        return
    try:
        array = np.asarray(value)
    except ValueError:
        array = None
    if array is not None and array.dtype == object and not isinstance(value, (list, tuple)):
        raise ValueError(f"{where}: a {type(value).__name__} is not numbers the grader can compare")
    if array is None or array.dtype == object:
        raise ValueError(f"{where}: a {type(value).__name__} of arrays of different shapes is not one array; return "
                         "a tuple whose parts are the arrays, or, for an argument changed in place, compare it with "
                         "expect_args (see docs/writing-a-lesson.md, section 13)")


def _wire_argument(value: Any) -> Any:
    if isinstance(value, Tensor):
        return {protocol.TENSOR_KEY: np.asarray(value.data), "dtype": value.dtype, "requires_grad": value.requires_grad}
    if isinstance(value, Probe):
        return {protocol.PROBE_KEY: value.name, "params": dict(value.params)}
    if isinstance(value, np.generic) and value.dtype.kind in protocol.NUMERIC_KINDS:
        # sent as itself: on the wire a NumPy number would become a Python one (np.int64(2) an int)
        return {protocol.SCALAR_KEY: value.dtype.name, "value": value.item()}
    return value


def _plain_argument(value: Any) -> Any:
    if isinstance(value, Tensor):
        return np.array(value.data, copy=True)
    if isinstance(value, Probe):
        return value.build()
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list) and any(isinstance(v, np.ndarray) for v in value):
        return [v.copy() if isinstance(v, np.ndarray) else v for v in value]  # a prediction may clip them in place
    return value


CheckFunction = Callable[[ModuleType, np.random.Generator], Union[Case, Sequence[Case]]]


@dataclass(frozen=True)
class Check:
    exercise: str
    name: str
    points: float
    hidden: bool
    build: CheckFunction

    def cases(self, reference: ModuleType, seed: int) -> tuple[Case, ...]:
        """The check's cases for this seed; independent of which other checks run."""
        rng = np.random.default_rng([seed, zlib.crc32(f"{self.exercise}/{self.name}".encode())])
        try:
            built = self.build(reference, rng)
            cases = (built,) if isinstance(built, Case) else tuple(built)
        except GradeError:
            raise
        except Exception as error:  # the lesson's own bug (a Case that cannot be, a reference that raises): one line
            raise UsageError(f"check {self.exercise}/{self.name} could not build its cases: {type(error).__name__}: "
                             f"{error}{self._where(error, reference)}") from None
        if not cases:
            raise UsageError(f"check {self.exercise}/{self.name} built no cases: it would give its points for nothing; "
                             "a check returns a Case or a non-empty list of Cases")
        strays = [type(c).__name__ for c in cases if not isinstance(c, Case)]
        if strays:
            raise UsageError(f"check {self.exercise}/{self.name} returned a {strays[0]} among its cases; a check "
                             "returns a Case or a list of Cases")
        return cases

    def _where(self, error: Exception, reference: ModuleType | None = None) -> str:
        """Where in the check's own file the error arose (its last line there), for the author to look, and in the
        reference's file when it arose in a call of the reference."""
        home = getattr(getattr(self.build, "__code__", None), "co_filename", None)
        solution = getattr(reference, "__file__", None) if isinstance(reference, ModuleType) else None
        frames = traceback.extract_tb(error.__traceback__)
        named = {home: Path(home).name if home else "", solution: "/".join(Path(solution).parts[-2:]) if solution else ""}
        places = [next((f"{named[file]}, line {f.lineno}" for f in reversed(frames) if f.filename == file), None)
                  for file in (home, solution) if file]
        return f" ({'; '.join(p for p in places if p)})" if any(places) else ""


class CheckRegistry:
    """The checks of one lesson, in the order they were written."""

    def __init__(self) -> None:
        self._checks: list[Check] = []

    def add(self, exercise: str, points: float, hidden: bool = False) -> Callable[[CheckFunction], CheckFunction]:
        if isinstance(points, bool) or not isinstance(points, (int, float, np.integer, np.floating)) \
                or not 0 < points < float("inf"):
            raise ValueError(f"CHECKS.add({exercise!r}, points={points!r}): points must be a positive number")

        def register(build: CheckFunction) -> CheckFunction:
            name = build.__name__
            if any(c.exercise == exercise and c.name == name for c in self._checks):
                raise ValueError(f"duplicate check {exercise}/{name}")
            self._checks.append(Check(exercise, name, float(points), hidden, build))
            return build

        return register

    def for_exercise(self, exercise: str) -> tuple[Check, ...]:
        return tuple(c for c in self._checks if c.exercise == exercise)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._checks)
