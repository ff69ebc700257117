"""Finding and reading a student's files, as an attacker could have laid them out.

The directory the user names (a submission, or the class's folder in a batch) is trusted as a
starting point; everything inside it is not. Files inside it are opened one path component at a
time with ``O_NOFOLLOW`` relative to the trusted directory, so a symbolic link anywhere below it (to
the reference, a classmate's file, a root-only file, an endless file under /proc) is refused rather
than followed. Only a regular file of bounded size is read; FIFOs and devices are refused without
blocking. Hard links are read for what they hold.
"""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.errors import UsageError

MAX_SOURCE_BYTES = 1024 * 1024  # a student's exercise file
MAX_ANSWERS_BYTES = 64 * 1024  # quiz_answers.yaml
EXERCISES_DIR = "exercises"


class Refused(Exception):
    """A file of a submission that is not read: why, in words a student can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SubmissionFile:
    """Where a student's file is: a trusted directory and a path inside it that is not trusted."""

    base: Path
    relative: str  # '/'-separated, never empty, never '..'

    @property
    def path(self) -> Path:
        return self.base / self.relative

    @classmethod
    def of(cls, path: Path) -> SubmissionFile:
        """A file the user named directly: its directory is trusted, the file itself is not followed."""
        return cls(path.parent, path.name)

    def read(self, limit: int = MAX_SOURCE_BYTES) -> bytes:
        return read_inside(self.base, self.relative, limit)


def _refusal(shown: str, error: OSError) -> Refused:
    if error.errno == errno.ELOOP:
        return Refused(f"{shown} is a symbolic link; submit the file itself")
    if error.errno == errno.ENOTDIR:
        return Refused(f"{shown}: a part of this path is not a directory")
    if error.errno == errno.ENOENT:
        return Refused(f"{shown}: no such file")
    return Refused(f"{shown}: cannot read it ({error.strerror or error})")


def read_inside(base: Path, relative: str, limit: int) -> bytes:
    """The bytes of ``base/relative``, never following a link below ``base``; Refused otherwise."""
    parts = PurePosixPath(relative).parts
    if not parts or any(part in ("", ".", "..", "/") for part in parts):
        raise Refused(f"{relative}: not a path inside the submission")
    try:
        directory = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise _refusal(str(base), error) from None
    descriptors = [directory]
    try:
        for index, part in enumerate(parts[:-1]):
            try:
                directory = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=directory)
            except OSError as error:
                shown = "/".join(parts[: index + 1])
                if error.errno == errno.ENOTDIR and os.path.islink(base / shown):  # O_DIRECTORY wins over ELOOP
                    error = OSError(errno.ELOOP, "is a symbolic link")
                raise _refusal(shown, error) from None
            descriptors.append(directory)
        try:
            fd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=directory)
        except OSError as error:
            raise _refusal(relative, error) from None
        descriptors.append(fd)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise Refused(f"{relative} is {kind}; submit the file itself")
        if info.st_size > limit:
            raise Refused(f"{relative} is {info.st_size} bytes, over the {limit} allowed")
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 16, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise Refused(f"{relative} is over the {limit} bytes allowed")
        return b"".join(chunks)
    finally:
        for descriptor in reversed(descriptors):
            os.close(descriptor)


def entry_kind(base: Path, relative: str) -> str | None:
    """'file', 'dir', 'link' or 'other' for a path inside ``base`` (never following links); None if absent."""
    path = base / relative
    parts = PurePosixPath(relative).parts
    for depth in range(1, len(parts)):
        inner = base.joinpath(*parts[:depth])
        if inner.is_symlink() or not inner.is_dir():
            return None
    try:
        info = path.lstat()
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        return "link"
    if stat.S_ISREG(info.st_mode):
        return "file"
    return "dir" if stat.S_ISDIR(info.st_mode) else "other"


def notebook_name(student_file: str) -> str:
    """The notebook a student may hand in instead of the .py file: same name, .ipynb."""
    return str(PurePosixPath(student_file).with_suffix(".ipynb"))


def _newer(base: Path, python: str, notebook: str) -> str:
    """Of a .py and a .ipynb both present, the one saved last (the .py on a tie): the one worked in."""
    try:
        return notebook if (base / notebook).lstat().st_mtime > (base / python).lstat().st_mtime else python
    except OSError:
        return python


def submission_file_in(directory: Path, student_file: str) -> SubmissionFile | None:
    """The student's file in a submission directory: at its root, else under exercises/ (links included,
    so that reading them says why they are refused). The notebook of the same name counts too; where
    both are found, the one saved last is graded."""
    def first(name: str) -> str | None:
        for relative in (name, f"{EXERCISES_DIR}/{name}"):
            if entry_kind(directory, relative) not in (None, "dir"):
                return relative
        return None

    python, notebook = first(student_file), first(notebook_name(student_file))
    if python is not None and notebook is not None:
        return SubmissionFile(directory, _newer(directory, python, notebook))
    if python is not None or notebook is not None:
        return SubmissionFile(directory, python or notebook)  # type: ignore[arg-type]
    if entry_kind(directory, EXERCISES_DIR) == "link":
        return SubmissionFile(directory, f"{EXERCISES_DIR}/{student_file}")
    return None


def project_exercise_file(root: Path, student_file: str) -> SubmissionFile:
    """The file a student works in, in their project: exercises/<file>.py, or its notebook where that was saved
    after it (so bare ``grade``, ``grade list`` and ``grade watch`` grade what ``grade check exercises/`` does)."""
    python, notebook = f"{EXERCISES_DIR}/{student_file}", f"{EXERCISES_DIR}/{notebook_name(student_file)}"
    if entry_kind(root, notebook) not in (None, "dir") and entry_kind(root, python) not in (None, "dir"):
        return SubmissionFile(root, _newer(root, python, notebook))
    return SubmissionFile(root, python)


def ignored_copy_note(directory: Path, found: SubmissionFile, student_file: str) -> str | None:
    """When a directory holds the student's file both at its root and under exercises/, which one is
    graded (the root's) and which is not; None otherwise. Looks at the entries only, reads nothing."""
    other = f"{EXERCISES_DIR}/{student_file}"
    if found.relative != student_file or entry_kind(directory, other) in (None, "dir"):
        return None
    return (f"note: {directory} holds both {student_file} and {other}: grading {student_file} (the one at "
            f"its root); {other} is not graded")


def resolve_submission(path: Path, student_file: str) -> SubmissionFile:
    """PATH is the .py file or notebook itself, or a directory with it at its root or under exercises/."""
    if not os.path.lexists(path):
        raise UsageError(f"{path}: no such file or directory")
    if path.is_dir():
        found = submission_file_in(path, student_file)
        if found is None:
            raise UsageError(f"{path}: no {student_file} at its root or under exercises/")
        return found
    if path.suffix not in (".py", ".ipynb"):
        raise UsageError(f"{path}: not a Python file or notebook; give the .py file, the .ipynb notebook "
                         f"or the directory holding {student_file}")
    return SubmissionFile.of(path)


def find_project_root(start: Path, student_file: str) -> Path | None:
    """The nearest directory at or above ``start`` holding exercises/<student_file>."""
    for directory in (start, *start.parents):
        if entry_kind(directory, f"{EXERCISES_DIR}/{student_file}") is not None:
            return directory
    return None
