"""The lesson as a notebook, generated from the exercise stubs (the single source), so the two never drift.

The module docstring and each function's docstring become markdown; each function, without its
docstring, becomes one code cell (the same stub the .py file holds); the statements between functions
(imports) become code cells of their own; a final cell runs the practice checks.
"""
from __future__ import annotations

import ast
import inspect
from typing import Any

CHECK_ALL_CELL = "from grader.notebook import check\n\ncheck()  # practice feedback on every exercise; credit comes from grading the saved notebook"
PRACTICE_NOTE = (  # {exercise}: the lesson's first exercise, {notebook}: this notebook's file name
    "**Feedback while you work.** After completing a function, run its cell, then a cell with\n"
    "`from grader.notebook import check; check(\"{exercise}\")`: it grades the function as it is defined\n"
    "in this kernel (no need to save), with the same checks as `grade check`. This is **practice only**:\n"
    "credit comes from grading the saved notebook in the sandbox (`grade check {notebook}`).\n"
    "Keep slow cells (training loops, plots) under `if __name__ == \"__main__\":` so grading skips them."
)


def _segment(lines: list[str], first: int, last: int) -> str:
    return "".join(lines[first - 1:last]).strip("\n")


def _function_cell(lines: list[str], function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The function's code with its docstring left out (it is the markdown cell above)."""
    start = min([function.lineno, *(d.lineno for d in function.decorator_list)])
    end = function.end_lineno or function.lineno
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str) and len(body) > 1:
        doc_first, doc_last = body[0].lineno, body[0].end_lineno or body[0].lineno
        kept = lines[start - 1:doc_first - 1] + lines[doc_last:end]
        return "".join(kept).strip("\n")
    return _segment(lines, start, end)


def _signature(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return f"`{function.name}({ast.unparse(function.args)})`"


def notebook_cells(stub_source: str, title: str, name: str) -> list[tuple[str, str]]:
    """(kind, source) of every cell: kind is "markdown" or "code". ``name``: the lesson's (the notebook is NAME.ipynb)."""
    tree = ast.parse(stub_source)
    lines = stub_source.splitlines(keepends=True)
    cells: list[tuple[str, str]] = []
    docstring = ast.get_docstring(tree)
    cells.append(("markdown", f"# {title}\n\n{docstring or ''}".rstrip()))
    first = next((s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
                  and not s.name.startswith("_")), "EXERCISE")
    cells.append(("markdown", PRACTICE_NOTE.format(exercise=first, notebook=f"{name}.ipynb")))
    pending: list[ast.stmt] = []

    def flush() -> None:
        if pending:
            cells.append(("code", _segment(lines, pending[0].lineno, pending[-1].end_lineno or pending[-1].lineno)))
            pending.clear()

    body = tree.body[1:] if docstring is not None else tree.body
    for statement in body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            flush()
            doc = ast.get_docstring(statement) or ""
            cells.append(("markdown", f"## {_signature(statement)}\n\n{inspect.cleandoc(doc)}".rstrip()))
            cells.append(("code", _function_cell(lines, statement)))
        else:
            pending.append(statement)
    flush()
    cells.append(("markdown", "## Check your work\n\nRuns every check (practice only; hidden checks show no expected values)."))
    cells.append(("code", CHECK_ALL_CELL))
    return cells


def lesson_notebook(stub_source: str, title: str, name: str) -> Any:
    """The student notebook (an nbformat v4 node, validated) made from the exercise stubs' source."""
    import nbformat
    from nbformat import v4

    notebook = v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells = [v4.new_markdown_cell(text) if kind == "markdown" else v4.new_code_cell(text)
                      for kind, text in notebook_cells(stub_source, title, name)]
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number + 1}"  # stable ids: the same stubs give the same file
    nbformat.validate(notebook)
    return notebook


def lesson_notebook_text(stub_source: str, title: str, name: str) -> str:
    import nbformat

    return nbformat.writes(lesson_notebook(stub_source, title, name)) + "\n"
