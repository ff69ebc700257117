"""The core does not depend on the command line: importing it loads neither click nor any *cli module."""
from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import grader

def is_command_line(module: str) -> bool:
    """The command-line modules: cli, cli_base and every *_cli (grader.cli.quiz_key included)."""
    return module == "grader.cli" or module.startswith("grader.cli.")



GATES = {"grader.engine.credit"}  # the confinement gate in front of credit-producing commands: it warns on stderr


def core_modules() -> list[str]:
    found = [m.name for m in pkgutil.walk_packages(grader.__path__, "grader.")
             if not m.name.startswith(("grader.lessons.", "grader.sandbox."))]
    return sorted(m for m in set(found) - GATES if not is_command_line(m))


def test_core_modules_load_without_click_or_cli() -> None:
    modules = core_modules()
    assert {"grader.engine.grading", "grader.course.lesson", "grader.course.quiz", "grader.core.formatting", "grader.render.text"} <= set(modules)
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                                       text=True).stdout)
    assert not [m for m in loaded if m == "click" or m.startswith("click.")]
    assert not [m for m in loaded if is_command_line(m) and m not in ("grader.cli", "grader.cli.entry")]


def test_the_command_line_modules_are_the_ones_excluded() -> None:
    names = {m.name for m in pkgutil.walk_packages(grader.__path__, "grader.")}
    command_line = {n for n in names if is_command_line(n)}
    assert command_line >= {"grader.cli.app", "grader.cli.base", "grader.cli.learning", "grader.cli.batch",
                            "grader.cli.quiz", "grader.cli.quiz_key"}
