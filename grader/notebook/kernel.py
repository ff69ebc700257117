"""``check()`` inside a notebook: grade the lesson's functions as currently defined in this kernel.

The kernel is the student's own process, so it never loads the reference or any expected value. It
gathers the source of what the notebook defines (imports, plain constants, functions and classes, with
``inspect``; top-level cells are not run again, except the statement that last assigned a module-level
value the functions use and that cannot be written as a literal, ``LOSS = nn.CrossEntropyLoss()``, found
in the cells run) and sends it to the grading service, a separate
process started once (``service``), which grades it in the sandbox like a saved file and sends back
only the rendered report. Practice only: credit comes from grading the saved notebook.
"""
from __future__ import annotations

import __future__
import ast
import inspect
import json
import re
import os
import select
import subprocess
import sys
import textwrap
import threading
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

_PACKAGE_PARENT = str(Path(__file__).resolve().parents[2])
_BOOTSTRAP = "import sys; sys.path.insert(0, sys.argv[1]); from grader.notebook.service import main; main()"
START_SECONDS = 90.0  # the first check starts the service, which imports torch and the lesson
_IGNORED = frozenset({"In", "Out", "get_ipython", "exit", "quit", "check"})
_IPYTHON_NAMES = re.compile(r"_+|_i+\d*|_\d+|_oh|_ih|_dh|_exit_code|__\w+__")  # history, not definitions
_LITERALS = (bool, int, float, complex, str, bytes, type(None))
MAX_CELL_PARSED = 64 * 1024  # a cell of the history longer than this is not searched for assignments
MAX_STATEMENT = 10_000  # an assignment statement sent again is a line or a few, not a program


@dataclass(frozen=True)
class Feedback:
    """A practice report: HTML for Jupyter, text for everything else."""

    text: str
    html: str = ""

    def _repr_html_(self) -> str:
        return self.html or f"<pre>{self.text}</pre>"

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class KernelSource:
    source: str
    origins: tuple[str, ...]
    notes: tuple[str, ...]


def _is_literal(value: Any) -> bool:
    if isinstance(value, _LITERALS):
        return True
    if isinstance(value, (tuple, list, frozenset, set)):
        return all(_is_literal(v) for v in value)
    if isinstance(value, dict):
        return all(_is_literal(k) and _is_literal(v) for k, v in value.items())
    return False


def _names_used(function: Any) -> set[str]:
    code = getattr(function, "__code__", None)
    names: set[str] = set()
    stack = [code] if code is not None else []
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    return names


def _import_line(name: str, value: Any) -> str | None:
    if isinstance(value, types.ModuleType):
        module = value.__name__
        if module.split(".")[0] == "grader":
            return None
        return f"import {module}" if module == name else f"import {module} as {name}"
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "." in qualname or "<" in qualname:
        return None
    if module.split(".")[0] == "grader" or getattr(sys.modules.get(module), qualname, None) is not value:
        return None
    return f"from {module} import {qualname}" + ("" if qualname == name else f" as {name}")


def _assignments(history: Any) -> dict[str, str]:
    """The statement of the cells run (IPython's ``In``, oldest first) that last bound each name at the top
    level by plain assignment (``NAME = ...``, ``NAME: T = ...``, ``A, B = ...``)."""
    found: dict[str, str] = {}
    for cell in history if isinstance(history, list) else ():
        if not isinstance(cell, str) or len(cell) > MAX_CELL_PARSED:
            continue
        try:
            tree = ast.parse(cell)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
            names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            segment = ast.get_source_segment(cell, node)
            if names and segment and len(segment) <= MAX_STATEMENT:
                found.update((name, segment) for name in names)
    return found


def kernel_source(namespace: dict[str, Any], wanted: Iterable[str] = ()) -> KernelSource:
    """A module defining what ``namespace`` defines now: imports, plain constants, functions, classes.

    Its notes say why a name the definitions use, or one of ``wanted`` (the functions being checked), was
    not sent."""
    own_module = namespace.get("__name__", "__main__")
    header: list[str] = []
    definitions: list[tuple[str, list[str]]] = []
    skipped: dict[str, str] = {}
    for name, value in list(namespace.items()):
        if _IPYTHON_NAMES.fullmatch(name) or name in _IGNORED:
            continue
        if isinstance(value, (types.FunctionType, type)) and getattr(value, "__module__", None) == own_module:
            if value.__name__ != name:
                skipped[name] = f"{name} is another name for {value.__name__} (or a lambda): define it with def"
                continue
            try:
                lines, _ = inspect.getsourcelines(value)
            except (OSError, TypeError):
                skipped[name] = (f"{name}: its source cannot be found (a function typed at the plain Python "
                                 "prompt has none: use Jupyter, IPython or a file); run its cell again")
                continue
            definitions.append((name, textwrap.dedent("".join(lines)).splitlines(keepends=True)))
            continue
        line = _import_line(name, value)
        if line is not None:
            header.append(line + "\n")
        elif _is_literal(value) and len(repr(value)) < 10_000:
            header.append(f"{name} = {value!r}\n")
        else:
            skipped[name] = f"{name} (a {type(value).__name__}) is not sent: build it inside the function that uses it"
    future = __future__.annotations.compiler_flag
    if any(getattr(namespace[name], "__code__", None) is not None and namespace[name].__code__.co_flags & future
           for name, _ in definitions):  # their cells said `from __future__ import annotations`
        header.insert(0, "from __future__ import annotations\n")
    used = set().union(*(_names_used(namespace[name]) for name, _ in definitions)) if definitions else set()
    # A value the functions use that has no literal form: its assignment, as the cells ran it (grade check of
    # the saved notebook runs every top-level statement; check() must not fail where that passes).
    assigned = _assignments(namespace.get("In"))
    statements = list(dict.fromkeys(assigned[name] for name in skipped if name in used and name in assigned))
    for name in [name for name in skipped if name in used and name in assigned]:
        del skipped[name]
    notes = tuple(message for name, message in skipped.items() if name in used or name in set(wanted))
    source, origins = list(header), [""] * len(header)
    for name, lines in definitions:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        source.extend(lines)
        origins.extend(f"line {number} of {name}" for number in range(1, len(lines) + 1))
    for statement in statements:  # after the functions: a value may be built by calling one of them
        lines = (statement + "\n").splitlines(keepends=True)
        source.extend(lines)
        origins.extend(f"line {number} of the cell statement {lines[0].strip()[:60]}" for number in range(1, len(lines) + 1))
    return KernelSource("".join(source), tuple(origins), notes)


def _service_directory() -> str:
    """Where the service starts: the kernel's folder (Jupyter starts a kernel in its notebook's), so that it
    grades against the course around the notebook, as ``grade`` run there does (grader.course.course
    .find_course_root: $GRADE_COURSE first, else the course enclosing the folder, else this grader's project).
    Only the course is looked up there: the service imports nothing from it but the lesson (``-I``)."""
    try:
        return os.getcwd()
    except OSError:  # the folder was removed under the kernel
        return _PACKAGE_PARENT


class _Service:
    """The grading service, started at the first check and kept for the next ones."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOTSTRAP, _PACKAGE_PARENT], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, encoding="utf-8", cwd=_service_directory(),
            env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)  # a kernel interrupt is not ours
        self.started = False

    def alive(self) -> bool:
        return self.process.poll() is None

    def ask(self, request: dict[str, Any], seconds: float) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], seconds + (0 if self.started else START_SECONDS))
        if not ready:
            self.stop()
            return {"error": f"no answer from the grader within {seconds:g} s"}
        line = self.process.stdout.readline()
        if not line:
            self.stop()
            return {"error": "the grader stopped; run the check again"}
        self.started = True
        reply = json.loads(line)
        return reply if isinstance(reply, dict) else {"error": "malformed reply from the grader"}

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()


_lock = threading.Lock()
_service: _Service | None = None


def _ask(request: dict[str, Any], seconds: float) -> dict[str, Any]:
    global _service
    with _lock:
        if _service is None or not _service.alive():
            _service = _Service()
        try:
            return _service.ask(request, seconds)
        except (OSError, ValueError) as problem:
            _service.stop()
            _service = None
            return {"error": f"the grader could not be reached ({problem}); run the check again"}


def feedback(*exercises: str, namespace: dict[str, Any], timeout: float = 10.0, lesson: str | None = None) -> Feedback:
    """The practice report for ``exercises`` (all of the lesson's when none) as ``namespace`` defines them.

    ``lesson`` names the lesson in a course of several (the course's only one by default)."""
    gathered = kernel_source(namespace, exercises)
    request = {"source": gathered.source, "origins": list(gathered.origins), "notes": list(gathered.notes),
               "exercises": list(exercises), "timeout": timeout, "lesson": lesson}
    reply = _ask(request, timeout * max(1, len(exercises) or 10) + 30)
    if "error" in reply:
        return Feedback(f"check() could not grade: {reply['error']}")
    return Feedback(str(reply.get("text", "")), str(reply.get("html", "")))


def in_ipython() -> bool:
    shell = sys.modules.get("IPython")
    return shell is not None and getattr(shell, "get_ipython", lambda: None)() is not None


def check(*exercises: str, namespace: dict[str, Any] | None = None, timeout: float = 10.0,
          lesson: str | None = None) -> None:
    """Grade the functions as defined now (save not needed) and show the report: practice only."""
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    result = feedback(*exercises, namespace=namespace, timeout=timeout, lesson=lesson)
    if in_ipython():
        from IPython.display import display

        display(result)
    else:
        print(result.text)


def start_service() -> None:
    """Start the grading service now, in the background, so that the first check is quick too."""
    global _service
    with _lock:
        if _service is None or not _service.alive():
            _service = _Service()
