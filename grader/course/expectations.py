"""The reference's answers, recorded at release and replayed in the student copy.

A student copy has no reference solution. ``grade release`` runs every check of every exercise,
and every known mistake's prediction on every case, at the default seed with the reference wrapped
in a ``RecordingReference``: each call's result is kept under a key made of the function's name
and a digest of its arguments. The table is saved as data (an ``.npz`` read with
``allow_pickle=False`` plus a JSON index) in the lesson's package. In the copy, ``Lesson.reference``
is a ``ReplayReference`` with the same function names: the same checks ask the same questions and
get the same answers, bit for bit, so the copy grades exactly like the instructor's project at that
seed. Anything else (another seed) was never recorded and stops with one clear line. An expected
gradient a check asks ``core.numeric_grad`` for (``Case.value_of``) is recorded the same way, as one
answer per gradient, when the function it differentiates is the reference's own.
"""
from __future__ import annotations

import builtins
import collections
import functools
import hashlib
import json
import threading
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

import numpy as np

from grader.core.checks import Case, Probe, Tensor, flat_outputs
from grader.core.errors import UsageError
from grader.core.numeric_grad import compute_gradients

FORMAT_VERSION = 2  # 2: the known mistakes' predictions are recorded too
STEM = "released_expectations"
INDEX_FILE = f"{STEM}.json"
ARRAYS_FILE = f"{STEM}.npz"


class UnrecordableCall(UsageError, TypeError):
    """A reference call whose arguments cannot be keyed (a lambda, an object): it cannot be replayed."""


class ProbeFunction:
    """A probe built for the reference, keyed by its description (a lambda could not be recorded)."""

    def __init__(self, probe: Probe) -> None:
        self.probe = probe
        self._function = probe.build()

    def __call__(self, x: np.ndarray) -> float:
        return self._function(x)


def _digest_part(value: Any) -> Any:
    """A JSON-able description of an argument that is equal exactly when the values are."""
    if value is None:
        return ["none"]
    if isinstance(value, (bool, np.bool_)):
        return ["bool", bool(value)]
    if isinstance(value, (int, np.integer)):
        return ["int", int(value)]
    if isinstance(value, (float, np.floating)):
        return ["float", float(value).hex()]
    if isinstance(value, str):
        return ["str", value]
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf":
            raise UnrecordableCall(f"cannot key an array of dtype {value.dtype}")
        # Integer arrays are keyed as int64: index arrays are int32 on some platforms' older numpy.
        array = value.astype(np.int64) if value.dtype.kind in "iu" else value
        data = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        return ["array", array.dtype.str, list(array.shape), data]
    if isinstance(value, (list, tuple)):
        return ["seq", [_digest_part(v) for v in value]]
    if isinstance(value, Mapping):
        return ["map", [[str(k), _digest_part(value[k])] for k in sorted(value, key=str)]]
    if isinstance(value, ProbeFunction):
        return ["probe", value.probe.name, _digest_part(dict(value.probe.params))]
    if isinstance(value, Probe):
        return ["probe", value.name, _digest_part(dict(value.params))]
    if isinstance(value, Tensor):
        return ["tensor", value.dtype, bool(value.requires_grad), _digest_part(np.asarray(value.data))]
    raise UnrecordableCall(
        f"cannot key an argument of type {type(value).__name__}: pass the reference arrays, numbers or "
        "ProbeFunction(Probe(...)), never a lambda"
    )


def call_key(function: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> str:
    """The stable key of one reference call: its name and a digest of its arguments."""
    description = [function, _digest_part(list(args)), _digest_part(dict(kwargs))]
    return hashlib.sha256(json.dumps(description, separators=(",", ":")).encode()).hexdigest()


def gradient_key(function: str, args: tuple[Any, ...], how: Mapping[str, Any]) -> str:
    """The key of one recorded ``numeric_gradients`` of a reference function: its arguments and how it is taken
    (grad_output, argnums, kwargs, part)."""
    return call_key(f"gradient:{function}", args, {k: list(v) if k == "argnums" else v for k, v in how.items()})


class RecordingReference:
    """The real reference, wrapped: every function call's result is also kept in a table."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module
        self._lock = threading.Lock()
        self.calls: dict[str, tuple[str, Any]] = {}  # key -> (function name, result or raised exception)
        self.changed: dict[str, dict[int, tuple[np.ndarray, ...]]] = {}  # key -> the arguments it changed in place

    def __getattr__(self, name: str) -> Callable[..., Any]:
        target = getattr(self._module, name)
        if not callable(target):
            raise UnrecordableCall(f"the student copy can only replay function calls; this reads {name}")

        def recorded(*args: Any, **kwargs: Any) -> Any:
            key = call_key(name, args, kwargs)
            before = {i: [a.copy() for a in arrays] for i, arg in enumerate(args) if (arrays := _arrays_of(arg))}
            try:
                result = target(*args, **kwargs)
            except Exception as error:
                with self._lock:
                    self.calls[key] = (name, error)
                raise
            changed = {i: tuple(a.copy() for a in _arrays_of(args[i]) or ()) for i, copies in before.items()
                       if _changed_in_place(copies, _arrays_of(args[i]))}
            with self._lock:
                self.calls[key] = (name, _copy(result))
                if changed:  # a function that works in place: its arguments after the call are answers too
                    self.changed[key] = changed
            return result

        def gradients(args: tuple[Any, ...], **how: Any) -> dict[int, np.ndarray]:
            """core.numeric_gradients of this function, recorded as one answer (not each evaluation it took)."""
            computed = compute_gradients(target, args, how["grad_output"], how["argnums"], how["kwargs"], how["part"])
            with self._lock:
                self.calls[gradient_key(name, args, how)] = (name, tuple(computed[i].copy() for i in how["argnums"]))
            return computed

        recorded.numeric_gradients = gradients  # type: ignore[attr-defined]
        return recorded


def _arrays_of(argument: Any) -> list[np.ndarray] | None:
    """The numeric arrays an argument is, when a function can change it in place: an array, or a list or tuple
    of arrays (a model's gradients)."""
    if isinstance(argument, np.ndarray):
        return [argument] if argument.dtype.kind in "biuf" else None
    if isinstance(argument, (list, tuple)) and argument and \
            all(isinstance(a, np.ndarray) and a.dtype.kind in "biuf" for a in argument):
        return list(argument)
    return None


def _changed_in_place(before: list[np.ndarray], after: list[np.ndarray] | None) -> bool:
    return after is None or len(after) != len(before) or \
        any(a.shape != b.shape or not np.array_equal(a, b, equal_nan=True) for a, b in zip(after, before))


def _copy(result: Any) -> Any:
    if isinstance(result, np.ndarray):
        return result.copy()
    if isinstance(result, tuple):
        parts = [_copy(part) for part in result]
        return type(result)(*parts) if hasattr(type(result), "_fields") else tuple(parts)
    return result


def _stored(result: Any, slot: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The index entry for one result, and the arrays that hold its value (none for an exception)."""
    if isinstance(result, Exception):
        return {"kind": "raises", "error": type(result).__name__, "message": str(result)}, {}
    if isinstance(result, tuple):  # a NamedTuple keeps its class's name and fields: checks may read them
        entry: dict[str, Any] = {"kind": "tuple", "parts": []}
        fields = getattr(type(result), "_fields", None)
        if isinstance(fields, tuple):
            entry.update(name=type(result).__name__, fields=list(fields))
        arrays: dict[str, np.ndarray] = {}
        for index, part in enumerate(result):
            part_entry, part_arrays = _stored(part, f"{slot}_{index}")
            if part_entry["kind"] == "raises":
                raise UnrecordableCall("cannot record an exception inside a tuple")
            entry["parts"].append(part_entry)
            arrays.update(part_arrays)
        return entry, arrays
    if isinstance(result, bool):
        return {"kind": "bool", "array": slot}, {slot: np.asarray(result)}
    if isinstance(result, int):
        return {"kind": "int", "array": slot}, {slot: np.asarray(result, dtype=np.int64)}
    if isinstance(result, float):
        return {"kind": "float", "array": slot}, {slot: np.asarray(result, dtype=np.float64)}
    if isinstance(result, np.generic) and result.dtype.kind in "biuf":
        return {"kind": "scalar", "array": slot}, {slot: np.asarray(result)}
    if isinstance(result, np.ndarray) and result.dtype.kind in "biuf":
        return {"kind": "array", "array": slot}, {slot: result}
    raise UnrecordableCall(f"cannot record a result of type {type(result).__name__} "
                           "(numbers, numeric arrays and tuples of them only)")


# --- the known mistakes' predictions, recorded too ----------------------------------------------------
# A student copy ships no known-wrong implementation: what each mistake would return on each case is
# recorded at release, like the reference's answers, and looked up by the same kind of key.

Prediction = Callable[[Any, Case], Any]


def prediction_key(mistake: str, case: Case) -> str:
    return call_key(f"prediction:{mistake}", tuple(case.args), dict(case.kwargs))


class RecordedPredictions:
    """What each mistake's prediction returned (or raised) on each case, while recording a release."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.results: dict[str, Any] = {}  # key -> None | Exception | list of {output name: value}

    def record(self, mistake: str, case: Case, predict: Prediction, reference: Any) -> None:
        try:
            with np.errstate(all="ignore"):
                result = predict(reference, case)
        except UnrecordableCall:
            raise
        except Exception as error:  # noqa: BLE001  replayed as the same exception
            result = error
        if result is not None and not isinstance(result, Exception):
            alternatives = result if isinstance(result, (list, tuple)) else [result]
            stray = next((form for form in alternatives if form is not None and not isinstance(form, Mapping)), None)
            if stray is not None:
                raise UnrecordableCall(f"it returned a {type(stray).__name__}; a prediction returns a dict of outputs "
                                       '({"value": ...}), a list of such dicts, or None')
            result = [{name: np.asarray(value) for name, value in flat_outputs(outputs or {}).items()}
                      for outputs in alternatives]
        with self._lock:
            self.results[prediction_key(mistake, case)] = result


def _stored_prediction(result: Any, slot: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    if result is None:
        return {"kind": "none"}, {}
    if isinstance(result, Exception):
        return {"kind": "raises", "error": type(result).__name__, "message": str(result)}, {}
    arrays: dict[str, np.ndarray] = {}
    alternatives = []
    for number, outputs in enumerate(result):
        names = {}
        for index, (name, value) in enumerate(sorted(outputs.items())):
            if value.dtype.kind not in "biuf":
                raise UnrecordableCall(f"a prediction returned {name} of dtype {value.dtype} (numbers only)")
            names[name] = f"{slot}_{number}_{index}"
            arrays[names[name]] = value
        alternatives.append(names)
    return {"kind": "outputs", "alternatives": alternatives}, arrays


class ReplayedPrediction:
    """A mistake's prediction in a student copy: the recorded outputs for a case, or None if not recorded."""

    def __init__(self, mistake: str, table: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> None:
        self.mistake = mistake
        self._table = table
        self._arrays = arrays

    def __call__(self, reference: Any, case: Case) -> list[dict[str, np.ndarray]] | None:
        entry = self._table.get(prediction_key(self.mistake, case))
        if entry is None or entry["kind"] == "none":
            return None
        if entry["kind"] == "raises":
            return _replay(entry, self._arrays)  # raises it
        return [{name: self._arrays[slot].copy() for name, slot in outputs.items()} for outputs in entry["alternatives"]]


def load_predictions(directory: Path, mistakes: Iterable[str]) -> dict[str, ReplayedPrediction]:
    """The predictions of a released lesson, for the mistakes that have one."""
    document, arrays = _read(directory)
    table = document.get("predictions")
    if not isinstance(table, dict):
        raise UsageError(f"{directory / INDEX_FILE}: no recorded predictions; release the copy again")
    recorded = {entry_mistake for entry_mistake in document.get("predicted", [])}
    return {m: ReplayedPrediction(m, table, arrays) for m in mistakes if m in recorded}


def save_expectations(directory: Path, recorder: RecordingReference, lesson: str, seed: int,
                      predictions: RecordedPredictions | None = None, predicted: Iterable[str] = ()) -> int:
    """Write the index and arrays into ``directory``; returns the number of recorded calls."""
    index: dict[str, Any] = {}
    arrays: dict[str, np.ndarray] = {}
    for number, (key, (function, result)) in enumerate(sorted(recorder.calls.items())):
        entry, stored = _stored(result, f"r{number}")
        index[key] = {"function": function, **entry}
        arrays.update(stored)
        changed = recorder.changed.get(key, {})
        if changed:
            index[key]["in_place"] = {str(i): [f"r{number}_arg{i}_{j}" for j in range(len(after))]
                                      for i, after in changed.items()}
            arrays.update((f"r{number}_arg{i}_{j}", a) for i, after in changed.items() for j, a in enumerate(after))
    table: dict[str, Any] = {}
    for number, (key, result) in enumerate(sorted((predictions.results if predictions else {}).items())):
        table[key], stored = _stored_prediction(result, f"p{number}")
        arrays.update(stored)
    document = {"format": FORMAT_VERSION, "lesson": lesson, "seed": seed, "calls": index,
                "predictions": table, "predicted": sorted(predicted)}
    (directory / INDEX_FILE).write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    np.savez_compressed(directory / ARRAYS_FILE, **arrays)
    return len(index)


def _read(directory: Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The recorded index and arrays of a released lesson (read once per process)."""
    where = directory / INDEX_FILE
    cached = _READ.get(where)
    if cached is not None:
        return cached
    try:
        document = json.loads(where.read_text(encoding="utf-8"))
        with np.load(directory / ARRAYS_FILE, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UsageError(f"{where}: cannot read the recorded expected values ({error}); release the copy again") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT_VERSION:
        found = document.get("format") if isinstance(document, dict) else None
        raise UsageError(f"{where}: recorded by another version of grade (format {found!r}, expected {FORMAT_VERSION})")
    _READ[where] = (document, arrays)
    return document, arrays


_READ: dict[Path, tuple[dict[str, Any], dict[str, np.ndarray]]] = {}


class ReplayReference:
    """Stands in for the reference in a student copy: recorded answers, looked up by the same keys."""

    def __init__(self, index: Mapping[str, Any], arrays: Mapping[str, np.ndarray], seed: int, where: Path) -> None:
        self._calls = index
        self._arrays = arrays
        self.seed = seed
        self._where = where
        self._functions = frozenset(entry["function"] for entry in index.values())

    @classmethod
    def load(cls, directory: Path) -> ReplayReference:
        where = directory / INDEX_FILE
        document, arrays = _read(directory)
        calls, seed = document.get("calls"), document.get("seed")
        if not isinstance(calls, dict) or not isinstance(seed, int):
            raise UsageError(f"{where}: not a table of recorded expected values; release the copy again")
        return cls(calls, arrays, seed, where)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or name not in self._functions:
            raise AttributeError(f"the recorded reference has no function {name!r}")

        def replayed(*args: Any, **kwargs: Any) -> Any:
            entry = self._calls.get(call_key(name, args, kwargs))
            if entry is None:
                raise UsageError(
                    f"this student copy grades with seed {self.seed} only: its expected values were recorded "
                    f"at release ({self._where.name}); other seeds need the instructor's copy with solutions/"
                )
            _replay_in_place(entry, args, self._arrays)
            return _replay(entry, self._arrays)

        def gradients(args: tuple[Any, ...], **how: Any) -> dict[int, np.ndarray]:
            entry = self._calls.get(gradient_key(name, args, how))
            if entry is None:
                raise UsageError(
                    f"this student copy grades with seed {self.seed} only: its expected gradients were recorded "
                    f"at release ({self._where.name}); other seeds need the instructor's copy with solutions/"
                )
            return dict(zip(how["argnums"], _replay(entry, self._arrays)))

        replayed.numeric_gradients = gradients  # type: ignore[attr-defined]
        return replayed


def _replay_in_place(entry: Mapping[str, Any], args: tuple[Any, ...], arrays: Mapping[str, np.ndarray]) -> None:
    """Change the arguments as the reference changed them in place when the call was recorded."""
    for index, slots in entry.get("in_place", {}).items():
        targets = _arrays_of(args[int(index)]) or []
        for target, slot in zip(targets, slots):
            np.copyto(target, arrays[slot], casting="unsafe")


def _replay(entry: Mapping[str, Any], arrays: Mapping[str, np.ndarray]) -> Any:
    kind = entry["kind"]
    if kind == "raises":
        error = getattr(builtins, entry["error"], None)
        if not (isinstance(error, type) and issubclass(error, Exception)):
            error = RuntimeError
        raise error(entry["message"])
    if kind == "tuple":
        parts = [_replay(part, arrays) for part in entry["parts"]]
        fields = entry.get("fields")
        if isinstance(fields, list):
            return _named_tuple(str(entry.get("name", "Result")), tuple(str(f) for f in fields))(*parts)
        return tuple(parts)
    value = arrays[entry["array"]]
    if kind == "array":
        return value.copy()
    if kind == "float":
        return float(value)
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return value[()]


@functools.lru_cache(maxsize=256)
def _named_tuple(name: str, fields: tuple[str, ...]) -> type:
    """The recorded NamedTuple's stand-in: the same class name and field names (one class per pair)."""
    return collections.namedtuple(name if name.isidentifier() else "Result", fields)  # type: ignore[misc]
