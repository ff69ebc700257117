"""Submissions that do not import, hang, exit or crash end as results, never as grader crashes."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.cli.learning_render import render_next
from grader.core.model import ExerciseStatus
from grader.render.text import render_text
from variants import REFERENCE, build_submission

SOFTMAX = "stable_softmax"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "softmax_cross_entropy.py"
    path.write_text(text, encoding="utf-8")
    return path


def test_syntax_error_is_graded_zero_with_the_line(grade, tmp_path):
    source = REFERENCE.read_text().replace("def stable_softmax(", "def stable_softmax(:", 1)
    report = grade(write(tmp_path, source))
    assert report.score == 0
    assert {e.status for e in report.exercises} == {ExerciseStatus.ERROR}
    message = report.exercises[0].checks[0].message
    assert message.startswith("your file could not be imported: SyntaxError")
    assert "line" in message and "Traceback" not in message and "grader" not in message


@pytest.mark.parametrize("make, reason", [
    (lambda path: path.symlink_to(REFERENCE), "is a symbolic link; submit the file itself"),
    (lambda path: os.mkfifo(path), "is not a regular file"),
    (lambda path: path.write_bytes(b"#" * (2 << 20)), "over the 1048576 allowed"),
])
def test_a_file_that_cannot_be_graded_at_all_is_reported_once_at_the_top(grade, lesson, tmp_path, make, reason):
    path = tmp_path / "softmax_cross_entropy.py"
    make(path)
    report = grade(path)
    assert report.score == 0 and report.file_problem is not None and reason in report.file_problem
    text = render_text(report)
    top = text.split("\n! ")[0]
    assert "No exercise could run:" in top and reason in top
    assert text.count(reason) == 1 and "same problem as above" not in text
    assert text.count("not run (see above)") == len(report.exercises)
    footer = render_next(report, lesson, None)  # grade watch's: the problem, not the first exercise's hint
    assert footer.startswith("Next: fix this") and reason in footer and "Hint" not in footer


def test_different_problems_per_exercise_are_not_merged_into_one(lesson):
    from grader.engine.grading import failed_everywhere
    from grader.core.model import Report

    first, second = lesson.exercises[:2]
    report = Report("x.py", 7, (failed_everywhere(first, ExerciseStatus.MISSING, "stable_softmax is not defined"),
                                failed_everywhere(second, ExerciseStatus.ERROR, "crashed")))
    assert report.file_problem is None
    single = Report("x.py", 7, (failed_everywhere(first, ExerciseStatus.ERROR, "refused"),))
    assert single.file_problem is None  # one exercise: its own row says it


def test_a_file_that_does_not_import_is_reported_once_at_the_top(grade, lesson, tmp_path):
    source = REFERENCE.read_text().replace("def stable_softmax(", "def stable_softmax(:", 1)
    report = grade(write(tmp_path, source))
    text = render_text(report)
    line = next(n for n, code in enumerate(source.splitlines(), 1) if "def stable_softmax(:" in code)
    assert report.import_error is not None and report.import_error.startswith("SyntaxError")
    top = text.split("\n! ")[0]
    assert "could not be imported" in top and f"line {line}: def stable_softmax(:" in top
    assert text.count("SyntaxError") == 1 and "same problem as above" not in text
    assert text.count("not run (see above)") == len(lesson.exercises)
    footer = render_next(report, lesson, None)
    assert "make your file import" in footer and "SyntaxError" in footer and "Hint" not in footer


def test_one_exercise_that_fails_is_not_an_import_error(grade, tmp_path):
    report = grade(build_submission(tmp_path, {SOFTMAX: "def stable_softmax(logits, axis=-1):\n    raise KeyError(1)\n"}),
                   exercises=(SOFTMAX,))
    assert report.import_error is None and "could not be imported" not in render_text(report)


def test_bad_encoding_is_graded_as_an_import_error(grade, tmp_path):
    path = tmp_path / "softmax_cross_entropy.py"
    path.write_bytes(b"x = '\xff\xfe'\n")
    report = grade(path, exercises=(SOFTMAX,))
    assert report.exercises[0].status is ExerciseStatus.ERROR
    assert "SyntaxError" in report.exercises[0].checks[0].message


def test_exception_at_import_names_it_and_the_students_line(grade, tmp_path):
    path = build_submission(tmp_path, {}, prelude="import numpy as np\nvalues = np.zeros(3)\nvalues[7] = 1\n")
    report = grade(path, exercises=(SOFTMAX,))
    message = report.exercises[0].checks[0].message
    assert report.exercises[0].status is ExerciseStatus.ERROR
    assert "IndexError: index 7 is out of bounds" in message
    assert "values[7] = 1" in message


def test_infinite_loop_costs_only_its_exercise(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    while True:\n        pass\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), timeout=1.0)
    by_name = {e.name: e for e in report.exercises}
    assert by_name[SOFTMAX].status is ExerciseStatus.TIMEOUT
    assert by_name[SOFTMAX].score == 0
    assert "time limit" in by_name[SOFTMAX].checks[0].message
    assert all(e.status is ExerciseStatus.PASSED for n, e in by_name.items() if n != SOFTMAX)


def test_sleep_at_import_is_a_timeout_not_a_hang(grade, tmp_path):
    path = build_submission(tmp_path, {}, prelude="import time\ntime.sleep(60)\n")
    report = grade(path, exercises=(SOFTMAX,), timeout=1.0)
    assert report.exercises[0].status is ExerciseStatus.TIMEOUT


def test_sys_exit_at_import_is_an_error_not_a_pass(grade, tmp_path):
    path = build_submission(tmp_path, {}, prelude="import sys\nsys.exit(0)\n")
    report = grade(path, exercises=(SOFTMAX,))
    assert report.exercises[0].status is ExerciseStatus.ERROR
    assert report.score == 0
    assert "SystemExit" in report.exercises[0].checks[0].message


def test_sys_exit_inside_a_function_fails_its_checks(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    import sys\n    sys.exit(0)\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    exercise = report.exercises[0]
    assert exercise.status is ExerciseStatus.FAILED and exercise.score == 0
    assert "raised SystemExit" in exercise.checks[0].message


def test_os_exit_inside_a_function_ends_as_an_error(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    import os\n    os._exit(0)\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    exercise = report.exercises[0]
    assert exercise.status is ExerciseStatus.ERROR and exercise.score == 0
    assert "ended (exit code 0) before grading finished" in exercise.checks[0].message


def test_segfault_is_reported_with_its_signal(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    import ctypes\n    ctypes.string_at(0)\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    exercise = report.exercises[0]
    assert exercise.status is ExerciseStatus.ERROR
    assert "crashed with signal 11 (SIGSEGV)" in exercise.checks[0].message


def test_missing_function_is_reported_as_missing(grade, tmp_path):
    source = REFERENCE.read_text().replace("def stable_softmax(", "def renamed_softmax(", 1)
    report = grade(write(tmp_path, source), exercises=(SOFTMAX,))
    assert report.exercises[0].status is ExerciseStatus.MISSING
    assert "stable_softmax is not defined in your file" in report.exercises[0].checks[0].message


def test_returning_none_or_objects_gets_a_plain_message(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    result = logits * 0\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    assert "returned None (is a `return` missing?)" in report.exercises[0].checks[0].message
    source = "def stable_softmax(logits, axis=-1):\n    return {'p': 1}\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    assert "returned a dict, not numbers" in report.exercises[0].checks[0].message


def test_wrong_shape_is_described(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    return np.ones((2, 2))\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    assert "expected shape (3,), got shape (2, 2)" in report.exercises[0].checks[0].message


def test_printed_output_is_kept_and_capped(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    print('x' * 100_000)\n    return logits\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}), exercises=(SOFTMAX,))
    output = report.exercises[0].output
    total = int(output.split(" of ")[-1].split()[0])  # every call printed 100,001 bytes
    assert output.startswith("xxxx") and output.endswith(f"output cut: the first 8192 of {total} bytes printed are kept]")
    assert total > 100_000
    assert len(output) < 10_000
    from grader.render.text import render_text

    shown = render_text(report)
    assert "| [... output cut: the first 2000 of 8192 characters are shown here]" in shown
    assert f"| [... output cut: the first 8192 of {total} bytes printed are kept]" in shown
    assert "x" * 2000 in shown and "x" * 2001 not in shown


def test_short_output_is_shown_whole_with_no_cut_note(grade, tmp_path):
    source = "def stable_softmax(logits, axis=-1):\n    return logits\n"
    report = grade(build_submission(tmp_path, {SOFTMAX: source}, prelude="print('y' * 1500)"), exercises=(SOFTMAX,))
    from grader.render.text import render_text

    shown = render_text(report)
    assert "y" * 1500 in shown and "output cut" not in shown


def test_progress_hears_every_exercise_in_order_even_past_a_timeout(lesson, tmp_path):
    from grader.engine.grading import GradeOptions, grade_submission
    from grader.sandbox.runner import Limits

    source = "def softmax_with_temperature(logits, temperature, axis=-1):\n    while True:\n        pass\n"
    heard: list[str] = []
    report = grade_submission(build_submission(tmp_path, {"softmax_with_temperature": source}), lesson,
                              GradeOptions(limits=Limits(timeout=1.0)), heard.append)
    assert heard == [e.name for e in lesson.exercises]
    assert report.exercises[1].status is ExerciseStatus.TIMEOUT
