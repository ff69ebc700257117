"""Implementations written the way people write them (tests/corpus/), graded like a student's file.

Each corpus file holds one function and says, on its first line, what it is: ``# expect: correct``
(full marks everywhere) or ``# expect: <mistake id>`` (that exercise loses points and its feedback
names the mistake; every other exercise keeps full marks). They were written for this test in
styles the reference does not use: loops, einsum, math.exp, torch inside numpy exercises,
log-space, in-place operations, take_along_axis, nditer.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from grader.core.model import ExerciseStatus
from variants import build_submission

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILES = sorted(CORPUS.glob("*.py"))


def _read(path: Path) -> tuple[str, str, str]:
    """The expectation, the function's name and the function's source."""
    text = path.read_text(encoding="utf-8")
    match = re.match(r"# expect: (\w+)\n", text)
    assert match, f"{path.name}: the first line must be '# expect: correct' or '# expect: <mistake id>'"
    functions = [n.name for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)]
    assert len(functions) == 1, f"{path.name}: one function per file"
    return match.group(1), functions[0], text[match.end():]


def test_the_corpus_is_large_and_mixed(lesson):
    expectations = [_read(path) for path in FILES]
    correct = [e for e in expectations if e[0] == "correct"]
    buggy = [e for e in expectations if e[0] != "correct"]
    assert len(expectations) >= 20 and len(correct) >= 8 and len(buggy) >= 12
    known = {m for e in lesson.exercises for m in e.mistakes}
    assert {e[0] for e in buggy} <= known
    assert len({e[1] for e in expectations}) == len(lesson.exercises)  # every exercise is covered


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_corpus_implementation_gets_the_right_verdict(grade, lesson, tmp_path, path):
    expect, function, source = _read(path)
    report = grade(build_submission(tmp_path, {function: source}))
    for exercise in report.exercises:
        if exercise.name != function or expect == "correct":
            assert exercise.status is ExerciseStatus.PASSED, (exercise.name, exercise.checks)
            continue
        assert exercise.score < exercise.max_score
        assert expect in exercise.mistakes, [c.message for c in exercise.checks if not c.passed]
        named = next(c for c in exercise.checks if c.mistake == expect)
        assert lesson.exercise(function).mistakes[expect].title in named.message
