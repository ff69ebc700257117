"""``grade new-lesson NAME``: a new lesson's files, with placeholders that already validate.

It writes exercises/NAME.py (the stub), solutions/NAME.py (the reference), quizzes/NAME.yaml (two
keyed questions) and grader/lessons/NAME/ (lesson.yaml, __init__.py, checks.py, predictions.py, stress.py,
known_wrong/<mistake>.py and student_README.md). The placeholder exercise doubles an array; its
known mistake forgets to. Replace both, following docs/writing-a-lesson.md.
"""
from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from grader.course.course import LESSONS
from grader.core.errors import UsageError
from grader.course.quiz import key

NAME = re.compile(r"[a-z][a-z0-9_]*\Z")


@dataclass(frozen=True)
class Scaffold:
    name: str
    files: tuple[str, ...]  # written, relative to the course root


def _files(name: str, title: str) -> dict[str, str]:
    lesson = f"{LESSONS.as_posix()}/{name}"
    return {
        f"exercises/{name}.py": f'''"""{title}: the exercises. Replace each stub's body; `grade` checks it."""
import numpy as np


def double(x):
    """Return 2 * x as a float array. Example: double([1, 2]) -> array([2., 4.])."""
    raise NotImplementedError
''',
        f"solutions/{name}.py": f'''"""{title}: the reference solutions (instructor side, never released)."""
import numpy as np


def double(x):
    return 2 * np.asarray(x, dtype=float)
''',
        f"{lesson}/lesson.yaml": yaml.safe_dump({
            "format_version": 1, "name": name, "title": title, "student_file": f"{name}.py",
            "quiz": f"{name}.yaml",
            "exercises": [{
                "name": "double",
                "hints": ["Doubling scales every entry by two.", "double(x) = 2 * x, as a float array.",
                          "Multiplying by one returns the input unchanged: multiply by two."],
                "mistakes": {"forgot_to_double": {"title": "returning the input unchanged",
                                                  "hint": "The result must be twice the input: return 2 * x."}},
                "not_stressed": {"two_dimensional": "replace with a 2-D case in a hidden check, or say here why "
                                                    "the exercise takes 1-D input only"},
            }],
        }, sort_keys=False),
        f"{lesson}/__init__.py": f'''"""{title}."""
from .checks import CHECKS
from .predictions import PREDICTIONS
from .stress import STRESS

__all__ = ["CHECKS", "PREDICTIONS", "STRESS"]
''',
        f"{lesson}/stress.py": '''"""The lesson's stress classes: the kinds of input that break code, as predicates on a case.

grade validate prints the matrix (exercise x class) and fails on a cell with no hidden case in it,
unless lesson.yaml's not_stressed says why the class does not apply to that exercise.
"""
from __future__ import annotations

import numpy as np

from grader.core.checks import Case
from grader.course.stress import StressRegistry

STRESS = StressRegistry()


@STRESS.add("large values: magnitude 1e6 or more")
def large_values(exercise: str, case: Case) -> bool:
    return bool((np.abs(np.asarray(case.args[0], dtype=float)) >= 1e6).any())


@STRESS.add("2-D input")
def two_dimensional(exercise: str, case: Case) -> bool:
    return np.ndim(case.args[0]) >= 2
''',
        f"{lesson}/checks.py": '''"""The lesson's checks: each builds cases from the reference, on the trusted side."""
from __future__ import annotations

from types import ModuleType

import numpy as np

from grader.core.checks import Case, CheckRegistry

CHECKS = CheckRegistry()


@CHECKS.add("double", points=1)
def small_numbers(ref: ModuleType, rng: np.random.Generator) -> Case:
    x = np.array([1.0, 2.0, 3.0])
    return Case((x,), "the array [1, 2, 3]", ref.double(x))


@CHECKS.add("double", points=1, hidden=True)
def random_numbers(ref: ModuleType, rng: np.random.Generator) -> list[Case]:
    x, large = rng.normal(0, 10, size=5), rng.normal(0, 1e7, size=5)
    return [Case((x,), "five random numbers around 0", ref.double(x)),
            Case((large,), "five random numbers of magnitude ~1e7", ref.double(large))]
''',
        f"{lesson}/predictions.py": '''"""What each known mistake returns for a case, so feedback can name it."""
from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from grader.core.checks import Case


def forgot_to_double(ref: ModuleType, case: Case) -> dict[str, Any]:
    return {"value": np.asarray(case.plain_args()[0], dtype=float)}


PREDICTIONS = {"forgot_to_double": forgot_to_double}
''',
        f"{lesson}/known_wrong/forgot_to_double.py": '''def double(x):
    return np.asarray(x, dtype=float)
''',
        f"{lesson}/student_README.md": f'''# {title}

Implement the functions in `exercises/{name}.py`, then run `grade` to see what is right and what is
wrong, and `grade quiz` to take the mastery quiz.

## Quick start

With Python 3.10+, from this folder (torch's CPU-only build; the grader is tested with this version):

```sh
python3 -m venv .venv
.venv/bin/pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu
.venv/bin/pip install -e . && .venv/bin/grade
```
''',
        f"quizzes/{name}.yaml": _quiz(title),
    }


def _quiz(title: str) -> str:
    questions = []
    for qid, prompt, right, wrong in (
        ("q1", "What does double([1, 2]) return?", "[2, 4]", "[1, 2]"),
        ("q2", "What is double(0)?", "0", "2"),
    ):
        salt, digest = key.seal(qid, "a")
        questions.append({
            "id": qid, "prompt": prompt, "reread": "Doubling", "exercise": "double",
            "choices": [{"id": "a", "text": right, "explanation": "Every entry is multiplied by two."},
                        {"id": "b", "text": wrong, "explanation": "That is not twice the input."}],
            "salt": salt, "key": digest,
        })
    header = "# The lesson's mastery quiz. Set an answer with: grade quiz-key set QID CHOICE --quiz THIS_FILE\n"
    return header + yaml.safe_dump({"title": title, "pass_above": 0.75, "questions": questions}, sort_keys=False)


def new_lesson(root: Path, name: str, title: str | None = None) -> Scaffold:
    """Write the new lesson's files under ``root``; refuses a bad name or any file that exists."""
    if not NAME.match(name) or keyword.iskeyword(name):
        raise UsageError(f"{name!r}: a lesson name is lower-case letters, digits and _, starting with a letter")
    files = _files(name, title or name.replace("_", " ").capitalize())
    existing = [path for path in files if (root / path).exists()] + (
        [f"{LESSONS.as_posix()}/{name}/"] if (root / LESSONS / name).exists() else [])
    if existing:
        raise UsageError(f"lesson {name} already has files: {', '.join(existing)}; choose another name")
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return Scaffold(name, tuple(files))
