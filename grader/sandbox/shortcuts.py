"""Forbidden shortcuts: library functions an exercise asks the student to write rather than call.

A name is dotted: a module's function (``torch.nn.functional.softmax``) or a method of a Python class
(``torch.Tensor.softmax``). The worker replaces each with a wrapper that notes the call, before the
student's file is imported (so ``from torch import softmax`` gets the wrapper too), and reports which
names each call of the student's function reached. It is a teaching check, not a security boundary: code
that means to can reach the original another way (the worker is the student's own process anyway).
"""
from __future__ import annotations

import functools
import importlib
from types import ModuleType
from typing import Any, Callable

_IMMUTABLE_TYPE = 1 << 8  # Py_TPFLAGS_IMMUTABLETYPE: a class written in C (numpy.ndarray): no attribute can be set


class Unresolved(Exception):
    """A forbidden name that names no function the worker can watch."""


def resolve(name: str) -> tuple[Any, str, Any]:
    """The owner (a module or a class), the attribute's name and its raw value (a staticmethod stays one).

    Raises ``Unresolved`` with a sentence saying why."""
    parts = name.split(".")
    if len(parts) < 2 or not all(p.isidentifier() for p in parts):
        raise Unresolved(f"{name!r} is not a dotted name like torch.nn.functional.softmax")
    owner: Any = None
    for split in range(len(parts) - 1, 0, -1):
        try:
            owner = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        except Exception as error:  # noqa: BLE001  a module that fails to import: the name does not resolve
            raise Unresolved(f"{name}: importing {'.'.join(parts[:split])} failed ({type(error).__name__})") from None
        rest = parts[split:]
        break
    else:
        raise Unresolved(f"{name}: no module {parts[0]!r} can be imported")
    for attribute in rest[:-1]:
        if not hasattr(owner, attribute):
            raise Unresolved(f"{name}: {getattr(owner, '__name__', owner)!s} has no attribute {attribute!r}")
        owner = getattr(owner, attribute)
    last = rest[-1]
    if isinstance(owner, ModuleType):
        raw = getattr(owner, last, None)
    elif isinstance(owner, type):
        if owner.__flags__ & _IMMUTABLE_TYPE:
            raise Unresolved(f"{name}: {owner.__qualname__} is a built-in class whose methods cannot be watched; "
                             "forbid the module's function instead")
        raw = next((vars(k)[last] for k in owner.__mro__ if last in vars(k)), None)
    else:
        raise Unresolved(f"{name}: {'.'.join(parts[:-1])} is neither a module nor a class")
    function = raw.__func__ if isinstance(raw, (staticmethod, classmethod)) else raw
    if isinstance(function, type):  # a wrapper in its place would break isinstance and subclassing in every exercise
        raise Unresolved(f"{name}: a class, not a function; forbid its method (such as {name}.forward) or the "
                         "function it calls")
    if not callable(function):
        raise Unresolved(f"{name}: not a function" if raw is not None else f"{name}: no such function")
    return owner, last, raw


def watch(names: set[str] | frozenset[str], note: Callable[[str], None]) -> None:
    """Replace each name's function with one that calls ``note(name)`` first; names that do not resolve
    are left alone (``grade validate`` tells the author)."""
    for name in sorted(names):
        try:
            owner, attribute, raw = resolve(name)
        except Unresolved:
            continue
        wrapped = _wrapper(name, raw, note)
        try:
            setattr(owner, attribute, wrapped)
        except (AttributeError, TypeError):
            continue


def _wrapper(name: str, raw: Any, note: Callable[[str], None]) -> Any:
    kind = type(raw) if isinstance(raw, (staticmethod, classmethod)) else None
    function = raw.__func__ if kind is not None else raw

    def noted(*args: Any, **kwargs: Any) -> Any:
        note(name)
        return function(*args, **kwargs)

    try:
        noted = functools.wraps(function)(noted)
    except (AttributeError, TypeError):
        pass
    return kind(noted) if kind is not None else noted
