"""The layers of the grader hold: import-linter's contracts in pyproject.toml ([tool.importlinter]) are kept,
a wrong import breaks them, and no module outside grader.cli loads click when imported."""
from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grader

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """lint-imports on ``project`` (its pyproject.toml and its grader/), without a cache written into it."""
    env = {**os.environ, "PYTHONPATH": str(project), "COLUMNS": "400"}  # one line per contract
    return subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache", str(project / "pyproject.toml")],
                          cwd=project, env=env, capture_output=True, text=True, timeout=300)


def test_the_import_contracts_are_kept() -> None:
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    for contract in ("Layers", "click is imported only under grader.cli", "No import circles", "A lesson's checks"):
        assert contract in done.stdout  # each contract was checked, and KEPT (exit 0)


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project's grader/ and pyproject.toml to break."""
    project = tmp_path_factory.mktemp("layers")
    shutil.copytree(ROOT / "grader", project / "grader", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    return project


WRONG = [
    # (file, line added, contract broken)
    ("grader/core/formatting.py", "from grader.engine.grading import GradeOptions\n", "Layers"),
    ("grader/engine/doctor.py", "def _lazy() -> None:\n    import click\n", "click is imported only under grader.cli"),
    ("grader/course/lesson.py", "def _lazy() -> None:\n    from grader.course.course import Course\n", "No import circles"),
    ("grader/lessons/softmax_cross_entropy/checks.py", "import grader.render.text\n", "A lesson's checks"),
]


@pytest.mark.parametrize("path, line, contract", WRONG, ids=[w[2].split()[0] + "-" + Path(w[0]).stem for w in WRONG])
def test_a_wrong_import_breaks_a_contract(copy: Path, path: str, line: str, contract: str) -> None:
    target = copy / path
    before = target.read_text(encoding="utf-8")
    target.write_text(before + "\n\n" + line, encoding="utf-8")
    try:
        done = lint_imports(copy)
    finally:
        target.write_text(before, encoding="utf-8")
    assert done.returncode == 1, done.stdout + done.stderr
    broken = [row for row in done.stdout.splitlines() if row.endswith("BROKEN")]
    assert [row for row in broken if contract in row], done.stdout


def outside_the_command_line() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(grader.__path__, "grader.")
                  if not m.name.startswith(("grader.cli", "grader.lessons.")) and m.name != "grader.__main__")


def test_modules_outside_the_command_line_load_without_click() -> None:
    """The contracts read import statements; this loads every module, so an import made another way counts too."""
    modules = outside_the_command_line()
    assert {"grader.engine.grading", "grader.course.lesson", "grader.core.formatting", "grader.render.text",
            "grader.course.quiz", "grader.notebook.kernel"} <= set(modules)
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                                       text=True).stdout)
    assert not [m for m in loaded if m == "click" or m.startswith("click.")]
    assert not [m for m in loaded if m.startswith("grader.cli")]
