"""grader.core.submission.entry_kind: what a path inside a submission is, never following a link."""
from __future__ import annotations

import os

from grader.core.submission import EntryKind, entry_kind, notebook_name


def test_each_kind_of_entry(tmp_path):
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "work.py").write_text("x = 1\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "exercises" / "work.py")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    os.mkfifo(tmp_path / "pipe")
    assert entry_kind(tmp_path, "exercises/work.py") is EntryKind.FILE
    assert entry_kind(tmp_path, "exercises") is EntryKind.DIR
    assert entry_kind(tmp_path, "link.py") is EntryKind.LINK
    assert entry_kind(tmp_path, "dangling") is EntryKind.LINK
    assert entry_kind(tmp_path, "pipe") is EntryKind.OTHER
    assert entry_kind(tmp_path, "absent.py") is None


def test_an_entry_kind_is_its_word():
    """The kinds are words in a fingerprint (``batch.runs.fingerprint`` hashes them): they must not change."""
    assert [kind.value for kind in EntryKind] == ["file", "dir", "link", "other"]
    assert all(EntryKind(kind.value) is kind for kind in EntryKind)


def test_a_path_through_a_link_or_a_file_is_absent(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (real / "work.py").write_text("x = 1\n")
    (tmp_path / "exercises").symlink_to(real)
    (tmp_path / "file").write_text("")
    assert entry_kind(tmp_path, "exercises/work.py") is None  # the folder is a link: never followed
    assert entry_kind(tmp_path, "file/work.py") is None


def test_the_notebook_beside_a_student_file():
    assert notebook_name("softmax_cross_entropy.py") == "softmax_cross_entropy.ipynb"
