"""grader.course.progress: the student's progress file, read, updated and written in-process."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from grader.core.errors import UsageError
from grader.core.model import CheckResult, ExerciseResult, ExerciseStatus, Report
from grader.course.progress import (ExerciseProgress, Progress, load_progress, reset_progress, save_progress)

WHEN = datetime(2026, 3, 1, 12, 30, 5, 123456, tzinfo=timezone.utc)


def report(*results: ExerciseResult) -> Report:
    return Report("work.py", 2026, tuple(results))


def result(name: str, status: ExerciseStatus, *passed: bool) -> ExerciseResult:
    return ExerciseResult(name, status, tuple(CheckResult(f"c{i}", 2.0, p, False) for i, p in enumerate(passed)))


def test_hint_tiers_seen_never_go_down_and_updates_leave_the_original_alone():
    start = Progress("lesson")
    two = start.with_hints_seen("softmax", 2)
    assert two.exercise("softmax").hints_seen == 2 and start.exercise("softmax") == ExerciseProgress()
    assert two.with_hints_seen("softmax", 1).exercise("softmax").hints_seen == 2
    assert two.with_hints_seen("softmax", 3).exercise("softmax").hints_seen == 3


def test_a_report_records_each_exercise_and_keeps_the_hints_seen():
    progress = Progress("lesson").with_hints_seen("softmax", 2).with_report(
        report(result("softmax", ExerciseStatus.FAILED, True, False), result("loss", ExerciseStatus.PASSED, True)), WHEN)
    assert progress.exercise("softmax") == ExerciseProgress(2, "failed", 2.0, 4.0)
    assert progress.exercise("loss") == ExerciseProgress(0, "passed", 2.0, 2.0)
    assert progress.graded_at == "2026-03-01T12:30:05+00:00"


def test_saved_progress_reads_back_the_same(tmp_path):
    path = tmp_path / ".grade-progress.json"
    progress = Progress("lesson").with_hints_seen("b", 1).with_report(report(result("a", ExerciseStatus.PASSED, True)), WHEN)
    save_progress(path, progress)
    document = json.loads(path.read_text())
    assert document["version"] == 1 and list(document["exercises"]) == ["a", "b"]  # sorted
    assert load_progress(path, "lesson") == progress


def test_no_file_and_another_lessons_file_start_afresh_without_a_notice(tmp_path):
    path = tmp_path / ".grade-progress.json"
    assert load_progress(path, "lesson") == Progress("lesson")
    save_progress(path, Progress("other").with_hints_seen("x", 3))
    assert load_progress(path, "lesson") == Progress("lesson")
    assert path.exists()  # another lesson's record is not set aside


@pytest.mark.parametrize("text, reason", [
    ("{not json", "not a readable progress file (JSONDecodeError)"),
    ("[1, 2]", "not a progress file"),
    ('{"version": 1, "lesson": "lesson", "exercises": []}', "not a progress file"),
    ('{"version": 99, "lesson": "lesson", "exercises": {}}', "written by another version of grade (version 99, expected 1)"),
    ('{"version": 1, "lesson": "lesson", "exercises": {"a": 3}}', "exercise a: expected a mapping"),
])
def test_an_unreadable_file_is_set_aside_with_one_line_and_grading_goes_on(tmp_path, text, reason):
    path = tmp_path / ".grade-progress.json"
    path.write_text(text)
    progress = load_progress(path, "lesson")
    assert progress.exercises == {} and progress.lesson == "lesson"
    assert progress.notice is not None and "\n" not in progress.notice
    assert progress.notice.startswith(f"warning: {path}: {reason}; set aside as .grade-progress.json.corrupt")
    assert not path.exists() and (tmp_path / ".grade-progress.json.corrupt").read_text() == text


def test_a_file_that_is_not_utf8_is_set_aside(tmp_path):
    path = tmp_path / ".grade-progress.json"
    path.write_bytes(b"\xff\xfe{}")
    assert "not a readable progress file (UnicodeDecodeError)" in load_progress(path, "lesson").notice


def test_values_of_the_wrong_type_are_dropped_one_by_one(tmp_path):
    path = tmp_path / ".grade-progress.json"
    path.write_text(json.dumps({"version": 1, "lesson": "lesson", "graded_at": 5, "exercises": {
        "a": {"hints_seen": -1, "status": 3, "score": True, "max_score": "4"},
        "b": {"hints_seen": True, "status": "passed", "score": 1, "max_score": 2.5}}}))
    progress = load_progress(path, "lesson")
    assert progress.notice is None and progress.graded_at is None
    assert progress.exercise("a") == ExerciseProgress()
    assert progress.exercise("b") == ExerciseProgress(0, ExerciseStatus.PASSED, 1.0, 2.5)


def test_a_status_is_read_back_as_the_enum_and_written_as_its_value(tmp_path):
    """A file written before statuses were typed (plain strings) reads as ExerciseStatus members; one this
    grader does not know is dropped like any other value of the wrong kind; the file written back is the same."""
    path = tmp_path / ".grade-progress.json"
    old = {"version": 1, "lesson": "lesson", "graded_at": "2026-01-01T00:00:00+00:00", "exercises": {
        name: {"hints_seen": 1, "status": status.value, "score": 0.0, "max_score": 2.0}
        for name, status in (("a", ExerciseStatus.PASSED), ("b", ExerciseStatus.NOT_IMPLEMENTED),
                             ("c", ExerciseStatus.TIMEOUT))}}
    path.write_text(json.dumps(old, indent=2) + "\n")
    progress = load_progress(path, "lesson")
    assert progress.exercise("b").status is ExerciseStatus.NOT_IMPLEMENTED
    assert all(type(e.status) is ExerciseStatus for e in progress.exercises.values())
    before = path.read_text()
    save_progress(path, progress)
    assert path.read_text() == before
    path.write_text(json.dumps({**old, "exercises": {"a": {"hints_seen": 0, "status": "vanished"}}}))
    assert load_progress(path, "lesson").exercise("a").status is None


def test_reset_deletes_the_file_once(tmp_path):
    path = tmp_path / ".grade-progress.json"
    save_progress(path, Progress("lesson"))
    assert reset_progress(path) is True and not path.exists()
    assert reset_progress(path) is False


def test_reset_that_cannot_delete_is_a_usage_error(tmp_path):
    folder = tmp_path / ".grade-progress.json"
    folder.mkdir()  # a folder where the file should be: unlink fails (EISDIR or EPERM), never a traceback
    with pytest.raises(UsageError, match="cannot delete it"):
        reset_progress(folder)
