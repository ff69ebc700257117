"""benchmarks/corpus_verdicts.py sorts each graded corpus file into the right kind of miss, and the corpus
headers are read as written (tests/corpus_headers.py)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from corpus_headers import CorpusFile, read
from grader.core.model import CheckResult, ExerciseResult, ExerciseStatus

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "corpus_verdicts.py"
spec = importlib.util.spec_from_file_location("corpus_verdicts", SCRIPT)
verdicts = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = verdicts  # its dataclasses look their module up there
spec.loader.exec_module(verdicts)


def _file(name: str, correct: bool, mistake: str | tuple[str, ...] | None = None) -> CorpusFile:
    mistakes = mistake if isinstance(mistake, tuple) else (mistake,) if mistake else ()
    return CorpusFile(Path(f"{name}.py"), "stable_softmax", "", correct, "" if correct else "some bug", mistakes, "")


def _result(passed: bool, mistake: str | None = None) -> ExerciseResult:
    check = CheckResult("a_check", 1.0, passed, False, "" if passed else "got 0.5, expected 1", mistake)
    status = ExerciseStatus.PASSED if passed else ExerciseStatus.FAILED
    return ExerciseResult("stable_softmax", status, (check,))


@pytest.mark.parametrize("file, result, expected", [
    (_file("right", True), _result(True), None),
    (_file("alarm", True), _result(False), "correct file loses points"),
    (_file("missed", False), _result(True), "buggy file gets full marks"),
    (_file("unnamed", False, "no_max_shift"), _result(False), "bug caught but not named"),
    (_file("wrong", False, "no_max_shift"), _result(False, "global_max"), "wrong name"),
    (_file("named", False, "no_max_shift"), _result(False, "no_max_shift"), None),
    (_file("open", False), _result(False, "global_max"), "named, to judge"),
    (_file("either", False, ("no_max_shift", "global_max")), _result(False, "global_max"), None),
    (_file("more", False, "no_max_shift"), _result(False, "no_max_shift"), None),
])
def test_each_outcome_is_the_right_kind_of_miss(file, result, expected):
    lines = verdicts.misses([verdicts.Outcome(file, result)])
    if expected is None:
        assert lines == []
    else:
        assert len(lines) == 1 and lines[0].startswith(expected) and file.name in lines[0]


def test_the_summary_counts_verdicts_and_names():
    outcomes = [verdicts.Outcome(_file("a", True), _result(True)),
                verdicts.Outcome(_file("b", False), _result(True)),
                verdicts.Outcome(_file("c", False), _result(False, "no_max_shift")),
                verdicts.Outcome(_file("d", False), _result(False))]
    text = "\n".join(verdicts.summary("t", outcomes))
    assert "4 files (1 correct, 3 buggy)" in text
    assert "verdicts right: 3 / 4" in text and "bugs named:     1 / 3" in text
    assert "buggy with full marks: 1 / 3" in text


def test_a_wild_header_is_read_with_its_continuation_lines(tmp_path):
    folder = tmp_path / "corpus_wild"
    folder.mkdir()
    path = folder / "x.py"
    path.write_text("# expect: buggy: first part\n#   and the rest\n# mistake: no_max_shift global_max\n"
                    "# behaviour of: owner/repo, path.py, f (written here from scratch; no code copied)\ndef stable_softmax(logits, axis=-1):\n"
                    "    return logits\n")
    file = read(path)
    assert (file.correct, file.bug, file.mistakes, file.function) == (
        False, "first part and the rest", ("no_max_shift", "global_max"), "stable_softmax")
    assert file.origin == "owner/repo, path.py, f"


def test_a_header_without_an_expectation_is_refused(tmp_path):
    path = tmp_path / "y.py"
    path.write_text("def stable_softmax(logits, axis=-1):\n    return logits\n")
    with pytest.raises(ValueError, match="expect"):
        read(path)
