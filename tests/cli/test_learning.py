"""The learning loop: grade watch, grade hint, grade list, grade reset, and the progress file."""
from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Callable

import pytest

from grader.course.lesson import PROJECT_ROOT
from grader.core.model import ExerciseStatus
from grader.course.progress import PROGRESS_FILE, Progress, load_progress
from grader.cli.watch import watch
from projects import grade_in, make_project
from variants import REFERENCE

NAMES = ("stable_softmax, softmax_with_temperature, cross_entropy_from_logits, cross_entropy_gradient, "
         "per_position_cross_entropy, sequence_mean_loss, finite_difference_gradient, torch_classification_loss, "
         "torch_sequence_loss")


# ---------------------------------------------------------------- watch: the polling core

class FakeTime:
    """A clock that only moves when the watcher sleeps, and a script of file edits at given times."""

    def __init__(self, edits: dict[float, Callable[[], object]]) -> None:
        self.now = 0.0
        self.edits = dict(edits)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now = round(self.now + seconds, 6)
        for at in sorted(t for t in self.edits if t <= self.now):
            self.edits.pop(at)()


def test_watch_grades_at_start_and_after_a_settled_change(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("x = 1\n")
    graded = []
    fake = FakeTime({1.0: lambda: target.write_text("x = 22\n")})
    count = watch(target, lambda p: graded.append((fake.now, p.read_text())), poll=0.25, debounce=0.5,
                  stop_after=2, sleep=fake.sleep, clock=fake.clock)
    assert count == 2
    assert graded[0] == (0.0, "x = 1\n")
    at, text = graded[1]
    assert text == "x = 22\n" and 1.5 <= at <= 2.0  # not before the change has held for the debounce


def test_watch_debounces_a_burst_of_writes_into_one_grading(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("a\n")
    graded = []
    burst = {1.0 + i / 10: (lambda i=i: target.write_text("b" * (i + 2) + "\n")) for i in range(5)}
    fake = FakeTime(burst)
    count = watch(target, lambda p: graded.append((fake.now, p.read_text())), poll=0.1, debounce=0.3, stop_after=2,
                  sleep=fake.sleep, clock=fake.clock)
    fake.sleep(5.0)  # nothing pending: a third grading would need another change
    assert count == 2 and [text for _, text in graded] == ["a\n", "bbbbbb\n"]  # the burst's last write, once
    assert graded[1][0] >= 1.4 + 0.3


def test_watch_waits_while_the_file_is_missing(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("one\n")
    graded = []
    fake = FakeTime({1.0: target.unlink, 3.0: lambda: target.write_text("two, saved by rename\n")})
    watch(target, lambda p: graded.append((fake.now, p.read_text())), poll=0.2, debounce=0.2, stop_after=2,
          sleep=fake.sleep, clock=fake.clock)
    assert [text for _, text in graded] == ["one\n", "two, saved by rename\n"] and graded[1][0] >= 3.0


def test_watch_sees_a_change_written_by_another_thread(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("before\n")
    seen = []

    def edit_later() -> None:
        time.sleep(0.3)
        target.write_text("after, a longer line\n")

    writer = threading.Thread(target=edit_later)
    writer.start()
    count = watch(target, lambda p: seen.append(p.read_text()), poll=0.05, debounce=0.1, stop_after=2)
    writer.join()
    assert count == 2 and seen == ["before\n", "after, a longer line\n"]


# ---------------------------------------------------------------- watch: the command

def _lines(stream, into: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        into.put(line)
    into.put(None)


def _read_until(lines: queue.Queue, needle: str, seen: list[str], timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        if needle in line:
            return
    raise AssertionError(f"never saw {needle!r}; output so far:\n{''.join(seen)}")


@pytest.mark.e2e  # a real process end to end
def test_grade_watch_redraws_on_save_and_stops_cleanly_on_ctrl_c(tmp_path):
    root = make_project(tmp_path / "project")
    process = subprocess.Popen(
        [sys.executable, "-c", "from grader.cli.app import main; main()", "watch", "--interval", "0.1",
         "--exercise", "stable_softmax", "--exercise", "cross_entropy_gradient"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    try:
        _read_until(lines, "Watching exercises/softmax_cross_entropy.py", seen)
        first = "".join(seen)
        assert "0/5  not implemented yet" in first
        assert "Next: stable_softmax (not implemented yet)" in first and "Hint 1 of 3 (concept)" in first
        shutil.copy(REFERENCE, root / "exercises" / "softmax_cross_entropy.py")
        seen.clear()
        _read_until(lines, "Watching exercises/softmax_cross_entropy.py", seen)
        redrawn = "".join(seen)
        assert "✓ stable_softmax" in redrawn and "Total: 9/9 points" in redrawn
        assert "Every graded exercise has full marks" in redrawn
        broken = REFERENCE.read_text().replace("def stable_softmax(", "def stable_softmax(:", 1)
        (root / "exercises" / "softmax_cross_entropy.py").write_text(broken)
        seen.clear()
        _read_until(lines, "Watching exercises/softmax_cross_entropy.py", seen)
        syntax_error = "".join(seen)
        assert syntax_error.count("SyntaxError") == 2  # once in the report's top, once in the footer
        assert "Next: make your file import again" in syntax_error and "Hint 1" not in syntax_error
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert "Traceback" not in stderr and stderr.strip() == ""
    progress = json.loads((root / PROGRESS_FILE).read_text())
    assert progress["exercises"]["stable_softmax"]["status"] == "error"  # the last grading: the syntax error
    # The first screen showed tier 1 unasked: grade list says "hints seen" only of hints asked for (issue 22).
    assert progress["exercises"]["stable_softmax"]["hints_seen"] == 0
    assert "hints seen" not in grade_in(root, "list").stdout


def test_grade_watch_outside_a_project_needs_a_path(tmp_path):
    result = grade_in(tmp_path, "watch")
    assert result.exit_code == 2
    assert "run grade watch inside the project, or give the file" in result.stderr


# ---------------------------------------------------------------- hint

def test_hints_come_one_tier_more_per_call_and_are_recorded(tmp_path):
    root = make_project(tmp_path)
    first = grade_in(root, "hint", "cross_entropy_gradient")
    assert first.exit_code == 0
    assert first.stdout.startswith("cross_entropy_gradient: hint 1 of 3\n")
    assert "1. Concept: The gradient of cross-entropy" in first.stdout and "2. Formula" not in first.stdout
    assert "again gives the formula" in first.stdout
    second = grade_in(root, "hint", "cross_entropy_gradient")
    assert "2. Formula: dL/dz_k = p_k - y_k" in second.stdout and "again gives the common bug" in second.stdout
    third = grade_in(root, "hint", "cross_entropy_gradient")
    assert "3. Common bug: Check the signs" in third.stdout and "That is every hint" in third.stdout
    again = grade_in(root, "hint", "cross_entropy_gradient")
    assert "hint 3 of 3 (you have seen them all)" in again.stdout
    progress = load_progress(root / PROGRESS_FILE, "softmax_cross_entropy")
    assert progress.exercise("cross_entropy_gradient").hints_seen == 3
    assert progress.exercise("stable_softmax").hints_seen == 0
    for text in (first.stdout, second.stdout, third.stdout):
        assert "return" not in text and "def " not in text  # hints, never the solution


def test_hint_for_an_unknown_exercise_lists_the_valid_names(tmp_path):
    result = grade_in(make_project(tmp_path), "hint", "softmax")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"Error: unknown exercise 'softmax'; choose from: {NAMES}"]
    assert not (tmp_path / PROGRESS_FILE).exists()


def test_hint_outside_a_project_exits_2(tmp_path):
    result = grade_in(tmp_path, "hint", "stable_softmax")
    assert result.exit_code == 2 and "run grade hint inside the project" in result.stderr


def test_a_corrupt_progress_file_never_blocks_grading(tmp_path):
    """A cache: set aside with a warning, and the command does its job."""
    root = make_project(tmp_path)
    for command, code in ((["hint", "stable_softmax"], 0), ([], 1), (["list"], 1)):
        (root / PROGRESS_FILE).write_text("{not json")
        result = grade_in(root, *command)
        assert result.exit_code == code, (command, result.output)
        assert (f"warning: {root / PROGRESS_FILE}: not a readable progress file (JSONDecodeError); set aside as "
                f"{PROGRESS_FILE}.corrupt, and a fresh progress record starts") in result.stderr
        assert "Traceback" not in result.output and (root / f"{PROGRESS_FILE}.corrupt").read_text() == "{not json"
        assert json.loads((root / PROGRESS_FILE).read_text())["version"] == 1  # a fresh record, written
    assert "Total: 0/35 points" in grade_in(root).stdout


def test_the_docs_say_an_unreadable_progress_file_is_set_aside_not_exit_2():
    section = (PROJECT_ROOT / "docs" / "learning.md").read_text().split("### Progress")[1].split("\n## ")[0]
    assert "exit code 2" not in section
    assert "set aside (renamed `.grade-progress.json.corrupt`)" in section and "never stops a command" in section


def test_progress_is_written_atomically_as_versioned_json(tmp_path):
    root = make_project(tmp_path)
    grade_in(root, "hint", "stable_softmax")
    document = json.loads((root / PROGRESS_FILE).read_text())
    assert document["version"] == 1 and document["lesson"] == "softmax_cross_entropy"
    assert document["exercises"]["stable_softmax"] == {"hints_seen": 1, "status": None, "score": None, "max_score": None}
    assert [p.name for p in root.iterdir() if p.name.startswith(f".{PROGRESS_FILE}")] == []  # no temp files left
    assert Progress("x").with_hints_seen("a", 2).with_hints_seen("a", 1).exercise("a").hints_seen == 2


# ---------------------------------------------------------------- list and reset

def test_list_shows_each_exercise_the_quiz_and_completion(tmp_path):
    root = make_project(tmp_path)
    grade_in(root, "hint", "stable_softmax")
    result = grade_in(root, "list")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Softmax, Cross-Entropy & Optimization: exercises/softmax_cross_entropy.py"
    assert "  · stable_softmax                0/5  not implemented yet   hints seen: 1 of 3" in lines
    assert result.stdout.count("not implemented yet") == 9
    assert "Exercises: 0 of 9 with full marks, 0/35 points" in lines
    assert "Quiz: not taken yet (take it with: grade quiz)" in lines
    assert "Lesson: not complete yet. Still needed: 9 exercises short of full marks; the quiz." in lines
    progress = load_progress(root / PROGRESS_FILE, "softmax_cross_entropy")
    assert progress.exercise("torch_sequence_loss").status is ExerciseStatus.NOT_IMPLEMENTED
    assert progress.exercise("stable_softmax").hints_seen == 1 and progress.graded_at


def test_list_with_full_marks_and_a_passed_quiz_says_complete(tmp_path):
    result = grade_in(make_project(tmp_path, REFERENCE, correct_answers=7), "list")
    assert result.exit_code == 0
    assert "Exercises: 9 of 9 with full marks, 35/35 points" in result.stdout
    assert "Quiz: 7/8 correct (87.5%), passed" in result.stdout
    assert "Lesson: complete." in result.stdout


def test_list_with_a_failed_quiz(tmp_path):
    result = grade_in(make_project(tmp_path, REFERENCE, correct_answers=6), "list")
    assert result.exit_code == 1
    assert "Quiz: 6/8 correct (75%), not passed: it needs 7 of 8 (retake it with: grade quiz --retake)" in result.stdout
    assert "Still needed: the quiz." in result.stdout


def test_reset_deletes_only_the_progress_file(tmp_path):
    root = make_project(tmp_path, REFERENCE, correct_answers=8)
    grade_in(root, "hint", "stable_softmax")
    code_before = (root / "exercises" / "softmax_cross_entropy.py").read_text()
    answers_before = (root / "quiz_answers.yaml").read_text()
    result = grade_in(root / "exercises", "reset")  # from a sub-folder of the project
    assert result.exit_code == 0
    assert result.stdout.startswith("Deleted ") and f"{PROGRESS_FILE}: the hints you have seen" in result.stdout
    assert "Your code (exercises/) and your quiz answers (quiz_answers.yaml) are untouched." in result.stdout
    assert not (root / PROGRESS_FILE).exists()
    assert (root / "exercises" / "softmax_cross_entropy.py").read_text() == code_before
    assert (root / "quiz_answers.yaml").read_text() == answers_before
    again = grade_in(root, "reset")
    assert again.exit_code == 0 and "Nothing to reset" in again.stdout
    assert "hint 1 of 3" in grade_in(root, "hint", "stable_softmax").stdout  # the tiers start over
