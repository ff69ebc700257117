"""A job's directory serves a later job only when nothing of the job could have written in it."""
from __future__ import annotations

import os
import tempfile

import pytest

from grader.sandbox import job_directories as module
from grader.sandbox.job_directories import JobDirectories


@pytest.fixture
def directories(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    store = JobDirectories()
    yield store
    store.remove_all()


def test_a_new_directory_has_its_two_empty_folders(directories):
    directory = directories.take()
    assert sorted(p.name for p in directory.iterdir()) == ["root", "submission"]
    assert oct(directory.stat().st_mode & 0o777) == "0o700"


def test_an_untouched_directory_of_a_sealed_off_job_serves_the_next(directories):
    first = directories.take()
    directories.give_back(first, reusable=True)
    assert directories.take() == first


@pytest.mark.parametrize("touch", [
    lambda d: (d / "submission" / "numpy.py").write_text("planted = True\n"),
    lambda d: (d / "root" / "x").mkdir(),
    lambda d: (d / "extra").write_text(""),
    lambda d: ((d / "submission").rmdir(), (d / "submission").symlink_to("/etc")),
    lambda d: (d / "root").rmdir(),
])
def test_a_directory_anything_was_written_in_is_removed(directories, touch):
    first = directories.take()
    touch(first)
    directories.give_back(first, reusable=True)
    assert not first.exists()
    assert directories.take() != first


def test_the_directory_of_a_job_that_was_not_sealed_off_is_removed(directories):
    first = directories.take()
    directories.give_back(first, reusable=False)
    assert not first.exists()


def test_the_store_is_bounded_and_emptied(directories, tmp_path):
    taken = [directories.take() for _ in range(module.KEPT + 5)]
    for directory in taken:
        directories.give_back(directory, reusable=True)
    assert len(os.listdir(tmp_path)) == module.KEPT
    directories.remove_stored()
    assert os.listdir(tmp_path) == []


def test_remove_all_takes_those_in_use_too(directories, tmp_path):
    directories.take()
    directories.give_back(directories.take(), reusable=True)
    directories.remove_all()
    assert os.listdir(tmp_path) == []


def test_once_everything_is_removed_no_job_takes_a_directory(directories, tmp_path, monkeypatch):
    """Ctrl-C: the grader removes every job's directory, then exits; a job thread still starting must not
    make a new one in between (it waits for the exit instead)."""
    class WaitsForTheExit(Exception):
        pass

    def wait() -> None:
        raise WaitsForTheExit

    monkeypatch.setattr(module, "wait_for_the_exit", wait)
    directories.take()
    directories.remove_all()
    with pytest.raises(WaitsForTheExit):
        directories.take()
    assert os.listdir(tmp_path) == []
