"""grade watch's file events: a save is seen at once, a read is no save, bursts grade once, polling stays."""
from __future__ import annotations

import os
import threading
import time

import pytest

from grader.cli.watch import FileEvents, file_events, redraw, watch


@pytest.fixture
def events(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("x = 1\n")
    reports = FileEvents(target)
    yield target, reports
    reports.close()


def test_a_write_is_reported_at_once_and_a_read_is_not(events):
    target, reports = events
    target.read_text()
    assert not reports.wait(0.3)  # opening and reading the file is no change
    started = time.monotonic()
    target.write_text("x = 2\n")
    assert reports.wait(2.0) and time.monotonic() - started < 1.0
    while reports.wait(0.2):
        pass
    (target.parent / "other.py").write_text("y = 1\n")  # a neighbour in the folder is not the file
    assert not reports.wait(0.3)


def test_an_editors_save_by_rename_is_reported(events):
    target, reports = events
    temporary = target.with_name(".work.py.swp")
    temporary.write_text("x = 3\n")
    while reports.wait(0.2):
        pass
    os.replace(temporary, target)
    assert reports.wait(2.0)


class ScriptedEvents:
    """Change reports the test sends; wait() runs on the watcher's thread like watchdog's flag."""

    def __init__(self) -> None:
        self.flag = threading.Event()

    def wait(self, timeout: float) -> bool:
        if not self.flag.wait(timeout):
            return False
        self.flag.clear()
        return True

    def close(self) -> None:
        pass


def test_a_burst_of_reported_writes_is_graded_once_when_it_settles(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("a\n")
    reports = ScriptedEvents()
    graded: list[tuple[float, str]] = []

    def editor() -> None:
        time.sleep(0.2)
        for text in ("b\n", "bb\n", "bbb\n"):
            target.write_text(text)
            reports.flag.set()
            time.sleep(0.02)

    threading.Thread(target=editor).start()
    started = time.monotonic()
    count = watch(target, lambda p: graded.append((time.monotonic() - started, p.read_text())), poll=5.0,
                  debounce=0.1, stop_after=2, events=reports)
    assert count == 2 and [text for _, text in graded] == ["a\n", "bbb\n"]
    assert graded[1][0] < 2.0  # at once, not at the next poll


def test_a_change_no_event_reported_is_still_found_by_polling(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("before\n")
    seen: list[str] = []

    def edit_later() -> None:
        time.sleep(0.2)
        target.write_text("after, unreported\n")

    threading.Thread(target=edit_later).start()
    count = watch(target, lambda p: seen.append(p.read_text()), poll=0.1, stop_after=2, events=ScriptedEvents())
    assert count == 2 and seen == ["before\n", "after, unreported\n"]


def test_watch_with_real_events_grades_a_save_quickly(tmp_path):
    target = tmp_path / "work.py"
    target.write_text("one\n")
    reports = file_events(target)
    assert reports is not None  # watchdog is a dependency; Linux has inotify
    saved: list[float] = []
    graded: list[tuple[float, str]] = []

    def save() -> None:
        time.sleep(0.3)
        saved.append(time.monotonic())
        target.write_text("two\n")

    threading.Thread(target=save).start()
    try:
        watch(target, lambda p: graded.append((time.monotonic(), p.read_text())), poll=10.0, stop_after=2,
              events=reports)
    finally:
        reports.close()
    assert graded[1][1] == "two\n" and graded[1][0] - saved[0] < 2.0  # the poll alone would take 10 s


def test_polling_can_be_asked_for(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADE_WATCH_POLL", "1")
    assert file_events(tmp_path / "work.py") is None


def test_a_redraw_overwrites_the_last_screen_in_place():
    drawn = redraw("line one\nline two\n")
    assert drawn.startswith("\033[H") and drawn.endswith("\033[J")
    assert "line one\033[K\nline two\033[K\n" in drawn
    assert "\033[2J" not in drawn  # no blank frame: nothing flickers
