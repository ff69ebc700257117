"""A notebook as the module its code cells form, in order: read and validated with nbformat, never run.

Runs on the trusted side. The notebook's outputs are never read (only code cells' sources are). Lines
of IPython syntax (``%magic``, ``!cmd``, ``obj?``) become a comment (``pass`` inside a block), with a
note; practice checks (``from grader.notebook import check``, ``check(...)``) too, without one. The
module keeps one line per cell line, so a line the worker reports maps back to "cell N, line M"
(cells counted from the top, markdown included).
"""
from __future__ import annotations

import ast
import json
import re
import warnings
from dataclasses import dataclass
from typing import Any

from grader.sandbox.protocol import clean_text

MAX_SOURCE_BYTES = 1024 * 1024  # a student's exercise file

NOTEBOOK_SUFFIX = ".ipynb"
# A notebook carries its outputs (a plot is a base64 PNG of 50-300 KB), so it may be far larger than
# its code; 8 MiB admits dozens of plots while bounding what the trusted side parses (nbformat holds
# about ten times the file in memory). The code it yields is still bounded like a .py file.
MAX_NOTEBOOK_BYTES = 8 * 1024 * 1024
MAX_NOTES = 20
# Validating costs about 0.1 ms per cell or output: bounded so that no notebook costs the grader seconds.
MAX_CELLS, MAX_OUTPUTS = 2_000, 20_000
# nbformat turns every JSON value into an object of its own (and validates it): ~600 bytes and ~10 us per
# empty {} of metadata or output data, so 8 MiB of them would cost the grader 1.5 GiB and 25 s. Counted
# outside strings (code, text and images are strings), before anything is parsed.
MAX_JSON_VALUES = 250_000
_JSON_STRING = re.compile(rb'"[^"]*"')  # once escaped characters are gone (see _json_values)
# ast.parse (to find practice checks and __future__ imports at a cell's top level) costs up to ~1 GiB and
# seconds per MiB of dense code. Cells are parsed while they are small and the notebook's parsed total is
# within bounds (a real notebook's cells are a few KiB each); past that, lines are read one by one.
MAX_PARSED_CELL, MAX_PARSED_TOTAL = 32 * 1024, 128 * 1024
# Line by line: a top-level practice check or __future__ import on one line (the form they take).
_PRACTICE_LINE = re.compile(r"^(?:from\s+grader[\s.]|import\s+grader\b|check\s*\()")
_FUTURE_LINE = re.compile(r"^from\s+__future__\s+import\s+([\w\s,()]+?)\s*(?:#.*)?$")

# Jupyter provides display() without an import; graded, it shows nothing (outputs are never read).
DISPLAY_STAND_IN = "def display(*objects, **options): pass  # Jupyter's display(): outputs are not graded\n"
_DISPLAY_CALL = re.compile(r"(?<![\w.])display\s*\(")
_DISPLAY_DEFINED = re.compile(r"^\s*(?:def\s+display\b|display\s*=|(?:from\s+\S+\s+)?import\s.*\bdisplay\b)", re.M)
PYTHON_BODY_MAGICS = frozenset({"time", "capture"})
_MAGIC_LINE = re.compile(r"^\s*(?:[%!?]|[\w.,\s\[\]]+=\s*[%!])")
_HELP_LINE = re.compile(r"^\s*[\w.\[\]()]+\?{1,2}\s*$")


class NotebookError(Exception):
    """A notebook that cannot be graded: malformed, truncated, not Python. Says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Program:
    """Python source made from a notebook (or a kernel), and where each of its lines came from."""

    source: bytes
    origins: tuple[str, ...]  # origins[n - 1]: "cell 7, line 3" for line n of source
    notes: tuple[str, ...] = ()

    def where(self, line: Any) -> str | None:
        if isinstance(line, int) and 1 <= line <= len(self.origins):
            return self.origins[line - 1] or None
        return None


def is_notebook(name: str) -> bool:
    return name.endswith(NOTEBOOK_SUFFIX)


def _within_bounds(raw: Any) -> None:
    if not isinstance(raw, dict):
        return  # nbformat says what is wrong
    sheets = raw.get("worksheets") if isinstance(raw.get("worksheets"), list) else []  # nbformat 3
    cells = [c for part in [raw.get("cells"), *(s.get("cells") for s in sheets if isinstance(s, dict))]
             if isinstance(part, list) for c in part]
    if len(cells) > MAX_CELLS:
        raise NotebookError(f"has {len(cells)} cells, over the {MAX_CELLS} allowed")
    outputs = sum(len(c["outputs"]) for c in cells if isinstance(c, dict) and isinstance(c.get("outputs"), list))
    if outputs > MAX_OUTPUTS:
        raise NotebookError(f"has {outputs} cell outputs, over the {MAX_OUTPUTS} allowed; clear the outputs "
                            "(Edit > Clear All Outputs) and save")


def _json_values(data: bytes) -> int:
    """About the number of JSON values in ``data``: the punctuation that can start one, outside strings.

    Linear in every case, with no per-character Python: escaped backslashes and quotes go first (pairs of
    backslashes from the left, as JSON reads them), so every quote left opens or closes a string; a text of
    millions of strings is over the bound at once (each string is a key or a value)."""
    plain = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    strings = plain.count(b'"') // 2
    if strings > 2 * MAX_JSON_VALUES:
        return strings
    structure = _JSON_STRING.sub(b"", plain)
    return structure.count(b"{") + structure.count(b"[") + structure.count(b",")


def _parse(data: bytes) -> Any:
    try:
        text = data.decode("utf-8-sig")  # a byte-order mark, as some Windows editors write, is not an error
    except UnicodeDecodeError:
        raise NotebookError("is not a notebook: it is not UTF-8 text") from None
    if _json_values(data) > MAX_JSON_VALUES:
        raise NotebookError(f"holds more than {MAX_JSON_VALUES} JSON values (outputs or metadata); clear the "
                            "outputs (Edit > Clear All Outputs) and save")
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise NotebookError(f"is not a readable notebook: its JSON is malformed or cut short{where}; "
                            "save it again from Jupyter (File > Save) and resubmit") from None
    _within_bounds(raw)
    import nbformat

    captured: dict[str, Exception] = {}  # nbformat puts the ValidationError it finds here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            notebook = nbformat.reads(text, as_version=4, capture_validation_error=captured)
        except Exception as exc:  # nbformat's own reader errors (unknown version, not a notebook)
            first = (str(exc).splitlines() or [""])[0][:200]
            raise NotebookError(f"is not a valid notebook ({type(exc).__name__}: {first})") from None
    if "ValidationError" in captured:
        error = captured["ValidationError"]
        first = (str(getattr(error, "message", error)).splitlines() or [""])[0][:200]
        raise NotebookError(f"is not a valid notebook ({first}); save it again from Jupyter")
    language = (notebook.metadata.get("kernelspec", {}).get("language")
                or notebook.metadata.get("language_info", {}).get("name") or "python")
    if str(language).lower() != "python":
        raise NotebookError(f"is a {str(language)[:40]} notebook; only Python notebooks can be graded")
    return notebook


def _is_practice_check(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.ImportFrom):
        return (statement.module or "").split(".")[0] == "grader"
    if isinstance(statement, ast.Import):
        return any(alias.name.split(".")[0] == "grader" for alias in statement.names)
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        function = statement.value.func
        return isinstance(function, ast.Name) and function.id == "check"
    return False


def _blanked(line: str, why: str) -> str:
    """A line that does nothing: a comment at top level, ``pass`` inside a block (which may need a statement)."""
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass  # {why}\n" if indent else f"# {why}\n"


def _line_by_line(lines: list[str], number: int, notes: list[str], futures: list[str], offset: int,
                  parsed: bool) -> list[str]:
    """IPython syntax blanked line by line; unless the cell was parsed (and so has none at its top level), the
    one-line practice checks and ``from __future__`` imports too."""
    for index, line in enumerate(lines):
        if _MAGIC_LINE.match(line) or (_HELP_LINE.match(line) and not line.lstrip().startswith("#")):
            lines[index] = _blanked(line, "IPython syntax: not run")
            notes.append(f"cell {number}, line {offset + index + 1}: IPython syntax not run: {line.strip()[:60]}")
        elif not parsed and _PRACTICE_LINE.match(line):
            lines[index] = _blanked(line, "practice check: not run when grading")
        elif not parsed and (future := _FUTURE_LINE.match(line)):
            futures.extend(name.strip() for name in future.group(1).strip("()").split(",") if name.strip())
            lines[index] = _blanked(line, "from __future__: moved to the top")
    return lines


def _neutralised(lines: list[str], number: int, notes: list[str], futures: list[str], offset: int = 0,
                 parse: bool = True) -> list[str]:
    """The cell's lines with IPython syntax and practice checks made inert (same line count).

    ``from __future__`` imports are collected into ``futures`` (a kernel accepts them in any cell,
    a module only at its top). With ``parse`` False (a cell too big to parse cheaply) the cell is read
    line by line instead."""
    text = "".join(lines)
    if text.lstrip().startswith("%%"):
        first = next(index for index, line in enumerate(lines) if line.strip())
        magic = lines[first].strip()
        if magic.split()[0][2:] in PYTHON_BODY_MAGICS:  # %%time, %%capture: Jupyter runs the body once, as Python
            notes.append(f"cell {number}, line {offset + first + 1}: {magic[:60]}: the magic is not run, "
                         "the code below it is")
            body = _neutralised(lines[first + 1:], number, notes, futures, offset + first + 1, parse)
            return lines[:first] + ["# IPython cell magic: not run\n"] + body
        notes.append(f"cell {number}: an IPython cell magic ({magic[:60]}): cell not run")
        return ["# IPython cell magic: not run\n"] + ["\n"] * (len(lines) - 1)
    lines = list(lines)
    if not parse:
        return _line_by_line(lines, number, notes, futures, offset, parsed=False)
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # IPython syntax first; then the rest parsed again (a practice check may sit below a magic). Code that
        # still does not parse is read line by line: the worker reports its error, by cell and line.
        cleaned = _line_by_line(list(lines), number, notes, futures, offset, parsed=True)
        if cleaned != lines:
            return _neutralised(cleaned, number, notes, futures, offset, parse)
        return _line_by_line(cleaned, number, notes, futures, offset, parsed=False)
    for statement in tree.body:
        first, last = statement.lineno - 1, (statement.end_lineno or statement.lineno) - 1
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            futures.extend(alias.name for alias in statement.names)
            why = "from __future__: moved to the top"
        elif _is_practice_check(statement):
            why = "practice check: not run when grading"
        else:
            continue
        lines[first] = _blanked(lines[first], why)
        for index in range(first + 1, last + 1):
            lines[index] = "\n"
    return lines


def program_from_cells(cells: list[tuple[int, str]]) -> Program:
    """The module formed by code cells (their number in the notebook, their source), in order."""
    parts: list[str] = []
    origins: list[str] = []
    notes: list[str] = []
    futures: list[str] = []
    code_bytes = parsed_bytes = 0
    for number, source in cells:
        try:
            code_bytes += len(source.encode("utf-8"))
        except UnicodeEncodeError:
            raise NotebookError(f"cell {number} holds text that is not valid Unicode (a lone surrogate); "
                                "retype the odd characters") from None
        if code_bytes > MAX_SOURCE_BYTES:  # before parsing it: ast costs up to 1 GiB per MiB of code
            raise NotebookError(f"holds more than {MAX_SOURCE_BYTES} bytes of code, over the {MAX_SOURCE_BYTES} allowed")
        lines = source.splitlines(keepends=True)
        if not lines:
            continue
        if not lines[-1].endswith(("\n", "\r")):
            lines[-1] += "\n"
        size = len(source)
        parse = size <= MAX_PARSED_CELL and parsed_bytes + size <= MAX_PARSED_TOTAL
        parsed_bytes += size if parse else 0
        lines = _neutralised(lines, number, notes, futures, parse=parse)
        parts.extend(lines)
        origins.extend(f"cell {number}, line {line}" for line in range(1, len(lines) + 1))
    code = "".join(parts)
    if _DISPLAY_CALL.search(code) and not _DISPLAY_DEFINED.search(code):
        parts.insert(0, DISPLAY_STAND_IN)
        origins.insert(0, "")
    if futures:
        parts.insert(0, f"from __future__ import {', '.join(dict.fromkeys(futures))}\n")
        origins.insert(0, "")
    if len(notes) > MAX_NOTES:
        notes[MAX_NOTES:] = [f"and {len(notes) - MAX_NOTES} more lines not run"]
    source = "".join(parts).encode("utf-8")
    if len(source) > MAX_SOURCE_BYTES:
        raise NotebookError(f"holds {len(source)} bytes of code, over the {MAX_SOURCE_BYTES} allowed")
    return Program(source, tuple(origins), tuple(clean_text(note) for note in notes))


def notebook_program(data: bytes) -> Program:
    """The Python module a notebook's code cells form; NotebookError when it is not a valid notebook."""
    notebook = _parse(data)
    cells = [(number, cell.source if isinstance(cell.source, str) else "".join(cell.source))
             for number, cell in enumerate(notebook.cells, start=1) if cell.cell_type == "code"]
    return program_from_cells(cells)
