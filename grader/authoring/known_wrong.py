"""Known-wrong implementations kept as data: one file per mistake id, holding just the wrong function.

``grade validate`` and the project's tests build a submission from each: the reference solution
with that one top-level function replaced.
"""
from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

FOLDER = "known_wrong"


@dataclass(frozen=True)
class KnownWrong:
    mistake: str
    function: str  # the top-level function it replaces (the exercise's name)
    source: str  # that function's source, dedented, ending with a newline
    path: Path


def read_known_wrong(path: Path) -> KnownWrong:
    """One known-wrong file; ValueError says what is wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text, filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError) as error:
        raise ValueError(f"{path}: cannot read it as Python ({error})") from None
    functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(functions) != 1:
        raise ValueError(f"{path}: must define exactly one top-level function (it defines {len(functions)})")
    function = functions[0]
    others = [n for n in tree.body if n is not function and not _is_docstring(n, tree)]
    if others:
        raise ValueError(f"{path}: line {others[0].lineno} is {_statement_kind(others[0])} outside the function; a "
                         "known-wrong file holds just the wrong function, which alone replaces the reference's, so "
                         "anything else would be dropped (put it inside the function)")
    first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    lines = text.splitlines(keepends=True)[first - 1 : function.end_lineno]
    source = textwrap.dedent("".join(lines)).strip("\n") + "\n"
    return KnownWrong(path.stem, function.name, source, path)


def _is_docstring(node: ast.stmt, tree: ast.Module) -> bool:
    return node is tree.body[0] and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
        and isinstance(node.value.value, str)


def _statement_kind(node: ast.stmt) -> str:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "an import"
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        return "an assignment"
    if isinstance(node, ast.ClassDef):
        return f"a class ({node.name})"
    return "a statement"


def known_wrong_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("*.py")) if directory.is_dir() else []


def load_known_wrong(directory: Path) -> dict[str, KnownWrong]:
    """Every known-wrong implementation in ``directory``, by mistake id; ValueError on a bad file."""
    return {path.stem: read_known_wrong(path) for path in known_wrong_files(directory)}


def _function_span(tree: ast.Module, name: str) -> tuple[int, int] | None:
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return min([node.lineno, *(d.lineno for d in node.decorator_list)]), node.end_lineno or node.lineno
    return None


def splice(base: str, function: str, replacement: str) -> str:
    """``base`` with its top-level ``function`` (decorators included) replaced by ``replacement``."""
    span = _function_span(ast.parse(base), function)
    if span is None:
        raise ValueError(f"the reference defines no top-level function {function!r}")
    lines = base.splitlines(keepends=True)
    lines[span[0] - 1 : span[1]] = [replacement if replacement.endswith("\n") else replacement + "\n"]
    return "".join(lines)
